/// `fault`: writes to its own text section, which sealing made read-only, so the panic handler must report a data abort there.
/// With `fault=memory` on the command line it allocates until the heap is exhausted instead: that must panic too.
import Capabilities
import DeviceTree
import Runtime

/// The function whose first instruction is overwritten.
@inline(never)
func victim() -> Int { 42 }

public enum Application {
    public static func main<M: Machine>(machine: inout M) {
        if let arguments = try? machine.deviceTree?.bootArguments,
           let kind = CommandLineWords.value(of: "fault", in: arguments), kind.elementsEqual("memory".utf8) {
            exhaustMemory(&machine)
        }
        // A Thumb function's address has bit 0 set; the instruction itself is at the even address.
        let target = unsafeBitCast(victim as @convention(c) () -> Int, to: UInt.self) & ~1
        machine.console.write("fault: writing to text at ")
        machine.console.write(hex: UInt64(target))
        machine.console.write(byte: 10)
        overwrite(target)
        machine.console.writeLine("fault: the write went through: the image is not sealed")
        machine.exit(status: 2)
    }

    /// Allocates 1 MiB blocks, touching each, until the allocator gives up.
    static func exhaustMemory<M: Machine>(_ machine: inout M) -> Never {
        machine.console.writeLine("fault: allocating until memory runs out")
        var blocks: [UnsafeMutableRawBufferPointer] = []
        while true {
            let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            block.storeBytes(of: UInt32(blocks.count), toByteOffset: block.count - 4, as: UInt32.self)
            blocks.append(block)
            if blocks.count > 4096 { break }
        }
        machine.console.writeLine("fault: 4 GiB allocated: the heap has no limit")
        machine.exit(status: 2)
    }

    @inline(never)
    static func overwrite(_ address: UInt) {
        UnsafeMutablePointer<UInt32>(bitPattern: address)!.pointee = 0xe7f0_00f0 // an undefined instruction
    }
}
