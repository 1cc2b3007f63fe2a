/// The PV devices an app takes from the xen-arm machine: netfront as its network interface, blkfront as its disk.
import ARMBoot
import Capabilities
import Platform
import Runtime
import Xen

/// The board's limits for PV devices.
enum XenArmLimits {
    /// netfront pages posted for receive and kept for transmit (one 4 KiB page per frame).
    static let receiveBuffers = 128
    static let transmitBuffers = 64
}

extension XenArm: StorageMachine {
    /// Connects netfront to device/vif/0 (the `.xl` file's first `vif`), and hands it over with the entropy source.
    mutating func takeNetwork() -> (NetFront<XenDomain>, XenArmEntropy)? {
        guard !networkTaken, let domain else { return nil }
        networkTaken = true
        var entropy = XenArmEntropy(tree: deviceTree)
        seal_entropy_mix(entropy.next())
        let network: NetFront<XenDomain>
        do {
            network = try NetFront.connect(services: domain, receiveBuffers: XenArmLimits.receiveBuffers,
                                           transmitBuffers: XenArmLimits.transmitBuffers)
        } catch {
            console.write("netfront: ")
            XenErrorText.write(error, to: &console)
            console.write(byte: 10)
            return nil
        }
        console.write("netfront: mac ")
        for index in 0..<6 {
            if index > 0 { console.write(":") }
            console.write(hex: UInt64(network.macAddress[index]), width: 2)
        }
        console.write(", backend domain ")
        console.write(decimal: Int(network.backendDomain))
        console.write(", event channel ")
        console.write(decimal: Int(network.eventPort))
        console.write(byte: 10)
        return (network, entropy)
    }

    /// Connects blkfront to the lowest-numbered device/vbd (the `.xl` file's first `disk`).
    mutating func takeDisk() -> BlockFront<XenDomain>? {
        guard !diskTaken, let domain else { return nil }
        diskTaken = true
        let disk: BlockFront<XenDomain>
        do {
            let index = (try? XenBusDevice<XenDomain>.firstIndex(services: domain, kind: "vbd")) ?? 0
            disk = try BlockFront.connect(services: domain, index: index)
        } catch {
            console.write("blkfront: ")
            XenErrorText.write(error, to: &console)
            console.write(byte: 10)
            return nil
        }
        console.write("blkfront: ")
        console.write(decimal: Int(truncatingIfNeeded: disk.sectorCount))
        console.write(" sectors of ")
        console.write(decimal: disk.sectorSize)
        console.write(" bytes, backend domain ")
        console.write(decimal: Int(disk.backendDomain))
        if disk.isReadOnly { console.write(", read-only") }
        console.writeLine(disk.hasFlush ? ", flush" : ", no flush")
        return disk
    }
}
