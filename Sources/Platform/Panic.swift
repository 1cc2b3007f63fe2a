/// The panic report for unexpected exceptions: one summary line, the registers, a backtrace `llvm-symbolizer` resolves.
import ARMBoot
import Capabilities

/// LLVM's `llvm.trap` (a failed Swift runtime check rather than a stray undefined instruction):
/// `udf #254` in Thumb state, `0xe7ffdefe` in ARM state.
private let swiftTrapThumb: UInt16 = 0xdefe
private let swiftTrapARM: UInt32 = 0xe7ff_defe

/// Swift and newlib run in Thumb state, where the frame pointer is r7; the boot assembly is ARM.
private let thumbState: UInt32 = 1 << 5

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
        var isSwiftTrap = false
        if ImageLayout.isText(UInt(pc)) {
            isSwiftTrap = registers.cpsr & thumbState != 0
                ? UnsafePointer<UInt16>(bitPattern: UInt(pc))!.pointee == swiftTrapThumb
                : UnsafePointer<UInt32>(bitPattern: UInt(pc))!.pointee == swiftTrapARM
        }
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
    let framePointer = registers.cpsr & thumbState != 0 ? registers.r.7 : registers.r.11
    writeBacktrace(pc: pc, linkRegister: registers.lr, framePointer: framePointer, to: &console)
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

/// The heap cannot satisfy an allocation (runtime.c): a panic, never a null pointer.
@_cdecl("seal_out_of_memory")
public func sealOutOfMemory(_ requested: Int) -> Never {
    var console = SystemConsole()
    let framePointer = UInt32(arm_frame_pointer())
    let returnAddress = UnsafePointer<UInt32>(bitPattern: UInt(framePointer) + 4)?.pointee ?? 0
    console.write("panic: out of memory at 0x0 pc=")
    console.write(hex: UInt64(returnAddress))
    console.write(byte: 10)
    console.write("  requested ")
    console.write(decimal: requested)
    console.write(" bytes; heap ")
    console.write(hex: UInt64(ImageLayout.heapStart))
    console.write("..")
    console.write(hex: UInt64(seal_heap_limit))
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

/// The faulting pc, then the calls that led to it from the frame-pointer chain. With frame
/// pointers kept, the frame pointer (r7 in Thumb code, r11 in ARM code) points at the saved
/// caller's frame pointer with the return address one word above it. Every step is checked
/// against the stack bounds and must move up the stack, so a corrupt chain ends the walk.
/// Calls are printed as return address - 1 (Thumb bit cleared): inside the call instruction,
/// so `llvm-symbolizer` names the call site rather than the line after it.
private func writeBacktrace(pc: UInt32, linkRegister: UInt32, framePointer: UInt32, to console: inout SystemConsole) {
    console.writeLine("backtrace:")
    writeFrame(pc, to: &console)
    if ImageLayout.isText(UInt(linkRegister)) { writeFrame(callSite(linkRegister), to: &console) }
    var frame = UInt(framePointer)
    var lastReturn = linkRegister
    for _ in 0..<32 {
        guard frame & 3 == 0, frame >= ImageLayout.supervisorStackBottom, frame + 8 <= ImageLayout.supervisorStackTop
        else { break }
        let record = UnsafePointer<UInt32>(bitPattern: frame)!
        let returnAddress = record[1]
        guard ImageLayout.isText(UInt(returnAddress)) else { break }
        if returnAddress != lastReturn { writeFrame(callSite(returnAddress), to: &console) }
        lastReturn = 0
        let next = UInt(record[0])
        guard next > frame else { break }
        frame = next
    }
}

private func callSite(_ returnAddress: UInt32) -> UInt32 { (returnAddress & ~1) &- 1 }

private func writeFrame(_ address: UInt32, to console: inout SystemConsole) {
    console.write("  ")
    console.write(hex: UInt64(address))
    console.write(byte: 10)
}
