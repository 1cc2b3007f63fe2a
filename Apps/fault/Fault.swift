/// `fault`: writes to its own text section, which sealing made read-only, so the panic handler must report a data abort there.
import Capabilities
import Runtime

/// The function whose first instruction is overwritten.
@inline(never)
func victim() -> Int { 42 }

public enum Application {
    public static func main<M: Machine>(machine: inout M) {
        // A Thumb function's address has bit 0 set; the instruction itself is at the even address.
        let target = unsafeBitCast(victim as @convention(c) () -> Int, to: UInt.self) & ~1
        machine.console.write("fault: writing to text at ")
        machine.console.write(hex: UInt64(target))
        machine.console.write(byte: 10)
        overwrite(target)
        machine.console.writeLine("fault: the write went through: the image is not sealed")
        machine.exit(status: 2)
    }

    @inline(never)
    static func overwrite(_ address: UInt) {
        UnsafeMutablePointer<UInt32>(bitPattern: address)!.pointee = 0xe7f0_00f0 // an undefined instruction
    }
}
