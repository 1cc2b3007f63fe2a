/// The virtio-mmio slots the device tree lists, probed once: the first network, entropy and block device.
import DeviceTree
import Drivers
import Virtio

struct VirtioDevices {
    struct Found {
        let transport: VirtioMMIO
        let node: Node
    }

    private(set) var network: Found? = nil
    private(set) var entropy: Found? = nil
    private(set) var block: Found? = nil

    /// Probes every enabled `virtio,mmio` node; QEMU lists all 32 slots, most of them empty
    /// (device id 0), so an empty slot is not an error.
    init(_ tree: DeviceTree) {
        for node in tree.nodes(compatibleWith: "virtio,mmio") {
            guard (try? node.isEnabled) ?? false,
                  let register = (try? node.registers)?.first(where: { _ in true }),
                  let transport = VirtioMMIO(base: UInt(register.address)) else { continue }
            switch VirtioDeviceType(rawValue: transport.deviceIdentifier) {
            case .network where network == nil: network = Found(transport: transport, node: node)
            case .entropy where entropy == nil: entropy = Found(transport: transport, node: node)
            case .block where block == nil: block = Found(transport: transport, node: node)
            default: continue
            }
        }
    }
}
