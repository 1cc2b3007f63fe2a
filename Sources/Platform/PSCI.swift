/// Power State Coordination Interface calls (ARM DEN 0022), through the conduit the device tree's /psci names.
import ARMBoot
import DeviceTree

public struct PSCI {
    public enum Conduit { case secureMonitorCall, hypervisorCall }

    public let conduit: Conduit
    /// Function ids: PSCI 0.2+ fixes them (§5.1); PSCI 0.1 lists them in the node.
    public let systemOffFunction: UInt32

    /// Reads `/psci`: `method` ("smc" or "hvc") and, for the original binding, `system_off`
    /// is absent and power-off is unavailable.
    public init?(deviceTree: DeviceTree) {
        guard let node = try? deviceTree.node(atPath: "/psci"),
              let method = node.property(named: "method") else { return nil }
        if method.stringBytesEqual("hvc") {
            conduit = .hypervisorCall
        } else if method.stringBytesEqual("smc") {
            conduit = .secureMonitorCall
        } else {
            return nil
        }
        guard node.isCompatible(with: "arm,psci-0.2") || node.isCompatible(with: "arm,psci-1.0") else { return nil }
        systemOffFunction = 0x8400_0008 // SYSTEM_OFF
    }

    public func call(_ function: UInt32, _ argument1: UInt32 = 0, _ argument2: UInt32 = 0, _ argument3: UInt32 = 0) -> UInt32 {
        switch conduit {
        case .secureMonitorCall: return seal_psci_smc(function, argument1, argument2, argument3)
        case .hypervisorCall: return seal_psci_hvc(function, argument1, argument2, argument3)
        }
    }

    public func systemOff() { _ = call(systemOffFunction) }
}
