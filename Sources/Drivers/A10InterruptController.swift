/// The Allwinner A10 interrupt controller (A10 User Manual §"Interrupt Controller"; binding allwinner,sun4i-a10-ic): 96 level-triggered sources, one vector register.
import Platform

/// The controller has no acknowledge or end-of-interrupt handshake: a source's pending bit
/// follows its level, so a handler ends the interrupt by quietening its device. The vector
/// register names the lowest-numbered pending, unmasked source.
public struct A10InterruptController: InterruptController {
    let base: UInt
    /// Sources 0–95, in three 32-bit banks.
    public static let sourceCount: InterruptNumber = 96
    static let banks: UInt = 3

    // Registers (A10 User Manual, interrupt controller register list).
    private var vector: Register32 { Register32(base + 0x00) }
    private var baseAddress: Register32 { Register32(base + 0x04) }
    private func pending(_ bank: UInt) -> Register32 { Register32(base + 0x10 + 4 * bank) }
    private func fastSelect(_ bank: UInt) -> Register32 { Register32(base + 0x30 + 4 * bank) }
    private func enableBank(_ bank: UInt) -> Register32 { Register32(base + 0x40 + 4 * bank) }
    private func maskBank(_ bank: UInt) -> Register32 { Register32(base + 0x50 + 4 * bank) }

    public init(base: UInt) {
        self.base = base
    }

    /// Every source disabled and masked, none routed to FIQ, the vector register's table base 0
    /// (so it reads `source * 4`). Both enable and mask are kept: the silicon gates on enable,
    /// QEMU's model only on mask.
    public mutating func start() {
        var bank: UInt = 0
        while bank < Self.banks {
            enableBank(bank).write(0)
            maskBank(bank).write(0xffff_ffff)
            fastSelect(bank).write(0)
            bank += 1
        }
        baseAddress.write(0)
    }

    public mutating func enable(_ interrupt: InterruptNumber) {
        guard interrupt < Self.sourceCount else { return }
        let bank = UInt(interrupt / 32), bit: UInt32 = 1 << (interrupt % 32)
        enableBank(bank).modify { $0 |= bit }
        maskBank(bank).modify { $0 &= ~bit }
    }

    public mutating func disable(_ interrupt: InterruptNumber) {
        guard interrupt < Self.sourceCount else { return }
        let bank = UInt(interrupt / 32), bit: UInt32 = 1 << (interrupt % 32)
        maskBank(bank).modify { $0 |= bit }
        enableBank(bank).modify { $0 &= ~bit }
    }

    /// The source the vector register names, if it is really pending and enabled: the
    /// register reads 0 both for source 0 and for nothing at all.
    public mutating func acknowledge() -> InterruptNumber? {
        let interrupt = vector.read() >> 2
        guard interrupt < Self.sourceCount else { return nil }
        let bank = UInt(interrupt / 32), bit: UInt32 = 1 << (interrupt % 32)
        guard pending(bank).read() & bit != 0, maskBank(bank).read() & bit == 0 else { return nil }
        return interrupt
    }

    /// Nothing to do: the pending bit drops when the device's line does.
    public mutating func endOfInterrupt(_ interrupt: InterruptNumber) {}
}
