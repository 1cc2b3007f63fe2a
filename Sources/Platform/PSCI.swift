/// Power State Coordination Interface calls (ARM DEN 0022), through the conduit the device tree's /psci names.
import ARMBoot
import DeviceTree

public struct PSCI {
    public let method: PSCIMethod

    /// SYSTEM_OFF, fixed since PSCI 0.2 (DEN 0022D §5.1.9).
    static let systemOffFunction: UInt32 = 0x8400_0008

    /// nil without a usable `/psci` node.
    public init?(deviceTree: DeviceTree) {
        guard let method = try? deviceTree.psciMethod else { return nil }
        self.method = method
    }

    public func call(_ function: UInt32, _ argument1: UInt32 = 0, _ argument2: UInt32 = 0, _ argument3: UInt32 = 0) -> UInt32 {
        switch method {
        case .smc: return seal_psci_smc(function, argument1, argument2, argument3)
        case .hvc: return seal_psci_hvc(function, argument1, argument2, argument3)
        }
    }

    public func systemOff() { _ = call(Self.systemOffFunction) }
}
