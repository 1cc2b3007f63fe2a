/// ARM Generic Interrupt Controller v2: distributor and CPU interface (ARM IHI 0048B), found through the device tree.

public struct GICv2: InterruptController {
    let distributor: UInt
    let cpuInterface: UInt

    // Distributor registers (IHI 0048B §4.3).
    private var distributorControl: Register32 { Register32(distributor + 0x000) }
    private var controllerType: Register32 { Register32(distributor + 0x004) }
    private func setEnable(_ index: UInt) -> Register32 { Register32(distributor + 0x100 + 4 * index) }
    private func clearEnable(_ index: UInt) -> Register32 { Register32(distributor + 0x180 + 4 * index) }
    private func priority(_ interrupt: UInt) -> Register8 { Register8(distributor + 0x400 + interrupt) }
    private func targets(_ interrupt: UInt) -> Register8 { Register8(distributor + 0x800 + interrupt) }
    // CPU interface registers (§4.4).
    private var cpuControl: Register32 { Register32(cpuInterface + 0x00) }
    private var priorityMask: Register32 { Register32(cpuInterface + 0x04) }
    private var interruptAcknowledge: Register32 { Register32(cpuInterface + 0x0c) }
    private var endOfInterruptRegister: Register32 { Register32(cpuInterface + 0x10) }

    /// Interrupt ids 1020–1023 are special; 1023 means nothing pending (§3.2.5).
    static let spurious: UInt32 = 1023

    public init(distributor: UInt, cpuInterface: UInt) {
        self.distributor = distributor
        self.cpuInterface = cpuInterface
    }

    /// Everything off, then the distributor and this CPU's interface on, all priorities let through.
    public mutating func start() {
        distributorControl.write(0)
        let lines = (UInt(controllerType.read() & 0x1f) + 1) * 32
        var index: UInt = 0
        while index < lines / 32 {
            clearEnable(index).write(0xffff_ffff)
            index += 1
        }
        distributorControl.write(1)
        priorityMask.write(0xf0)
        cpuControl.write(1)
    }

    /// The device tree's three-cell GIC specifier (type, number, flags) as an interrupt id:
    /// SPIs start at 32, PPIs at 16 (binding arm,gic.yaml).
    public static func interruptNumber(type: UInt32, number: UInt32) -> InterruptNumber {
        type == 1 ? number + 16 : number + 32
    }

    public mutating func enable(_ interrupt: InterruptNumber) {
        let line = UInt(interrupt)
        priority(line).write(0xa0)
        if line >= 32 { targets(line).write(1) } // CPU 0
        setEnable(line / 32).write(1 << UInt32(line % 32))
    }

    public mutating func disable(_ interrupt: InterruptNumber) {
        let line = UInt(interrupt)
        clearEnable(line / 32).write(1 << UInt32(line % 32))
    }

    public mutating func acknowledge() -> InterruptNumber? {
        let value = interruptAcknowledge.read()
        let interrupt = value & 0x3ff
        if interrupt >= 1020 { return nil }
        return value // the CPU id bits go back in the EOI write
    }

    public mutating func endOfInterrupt(_ interrupt: InterruptNumber) {
        endOfInterruptRegister.write(interrupt)
    }
}
