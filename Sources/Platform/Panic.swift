/// The panic report for unexpected exceptions: one summary line, the registers, a backtrace `llvm-symbolizer` resolves.
import ARMBoot
import Capabilities

/// The encoding of LLVM's `llvm.trap` in ARM state (`udf #0xfdee`... as emitted: 0xe7ffdefe):
/// a Swift runtime check that failed, rather than a stray undefined instruction.
private let swiftTrapInstruction: UInt32 = 0xe7ff_defe

@_cdecl("seal_exception")
public func sealException(_ kind: UInt32, _ frame: UnsafePointer<ExceptionFrame>) -> Never {
    var console = SystemConsole()
    let registers = frame.pointee
    let pc = registers.pc
    console.write("panic: ")
    switch Int32(kind) {
    case EXCEPTION_DATA_ABORT:
        console.write("data abort at ")
        console.write(hex: UInt64(arm_read_dfar()))
    case EXCEPTION_PREFETCH_ABORT:
        console.write("prefetch abort at ")
        console.write(hex: UInt64(arm_read_ifar()))
    case EXCEPTION_UNDEFINED:
        let isSwiftTrap = registers.cpsr & (1 << 5) == 0 && ImageLayout.isText(UInt(pc))
            && UnsafePointer<UInt32>(bitPattern: UInt(pc))!.pointee == swiftTrapInstruction
        console.write(isSwiftTrap ? "swift runtime trap at " : "undefined instruction at ")
        console.write(hex: UInt64(pc))
    case EXCEPTION_SUPERVISOR_CALL:
        console.write("supervisor call at ")
        console.write(hex: UInt64(pc))
    case EXCEPTION_FIQ:
        console.write("unexpected fiq at ")
        console.write(hex: UInt64(pc))
    default:
        console.write("unexpected exception at ")
        console.write(hex: UInt64(pc))
    }
    console.write(" pc=")
    console.write(hex: UInt64(pc))
    console.write(byte: 10)
    writeRegisters(registers, to: &console)
    if Int32(kind) == EXCEPTION_DATA_ABORT {
        console.write("  dfsr=")
        console.write(hex: UInt64(arm_read_dfsr()), width: 8)
        console.write(byte: 10)
    } else if Int32(kind) == EXCEPTION_PREFETCH_ABORT {
        console.write("  ifsr=")
        console.write(hex: UInt64(arm_read_ifsr()), width: 8)
        console.write(byte: 10)
    }
    writeBacktrace(pc: pc, linkRegister: registers.lr, framePointer: registers.r.11, to: &console)
    halt(status: 1)
}

/// Called for `abort()` (newlib) and anything else that gives up without a register frame.
@_cdecl("seal_abort")
public func sealAbort() -> Never {
    var console = SystemConsole()
    console.write("panic: abort at 0x0 pc=")
    let framePointer = UInt32(arm_frame_pointer())
    let returnAddress = UnsafePointer<UInt32>(bitPattern: UInt(framePointer) + 4)?.pointee ?? 0
    console.write(hex: UInt64(returnAddress))
    console.write(byte: 10)
    writeBacktrace(pc: returnAddress, linkRegister: 0, framePointer: framePointer, to: &console)
    halt(status: 1)
}

private func writeRegisters(_ registers: ExceptionFrame, to console: inout SystemConsole) {
    withUnsafeBytes(of: registers.r) { general in
        for index in 0..<13 {
            console.write(index % 4 == 0 ? "  r" : " r")
            console.write(decimal: index)
            console.write("=")
            console.write(hex: UInt64(general.load(fromByteOffset: index * 4, as: UInt32.self)), width: 8)
            if index % 4 == 3 { console.write(byte: 10) }
        }
    }
    console.write(" sp=")
    console.write(hex: UInt64(registers.sp), width: 8)
    console.write(" lr=")
    console.write(hex: UInt64(registers.lr), width: 8)
    console.write(" pc=")
    console.write(hex: UInt64(registers.pc), width: 8)
    console.write(" cpsr=")
    console.write(hex: UInt64(registers.cpsr), width: 8)
    console.write(byte: 10)
}

/// Return addresses from the frame-pointer chain. With frame pointers kept (ARM state, AAPCS),
/// r11 points at the saved r11 with the return address one word above it. Every step is
/// checked against the stack bounds and must move up the stack, so a corrupt chain ends the walk.
private func writeBacktrace(pc: UInt32, linkRegister: UInt32, framePointer: UInt32, to console: inout SystemConsole) {
    console.writeLine("backtrace:")
    writeFrame(pc, to: &console)
    if ImageLayout.isText(UInt(linkRegister)) { writeFrame(linkRegister, to: &console) }
    var frame = UInt(framePointer)
    var lastReturn = linkRegister
    for _ in 0..<32 {
        guard frame & 3 == 0, frame >= ImageLayout.supervisorStackBottom, frame + 8 <= ImageLayout.supervisorStackTop
        else { break }
        let record = UnsafePointer<UInt32>(bitPattern: frame)!
        let returnAddress = record[1]
        guard ImageLayout.isText(UInt(returnAddress)) else { break }
        if returnAddress != lastReturn { writeFrame(returnAddress, to: &console) }
        lastReturn = 0
        let next = UInt(record[0])
        guard next > frame else { break }
        frame = next
    }
}

private func writeFrame(_ address: UInt32, to console: inout SystemConsole) {
    console.write("  ")
    console.write(hex: UInt64(address))
    console.write(byte: 10)
}
