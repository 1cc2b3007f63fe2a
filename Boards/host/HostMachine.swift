/// The `host` machine: a Linux process with stdout as console, CLOCK_MONOTONIC, a TAP device and the kernel's entropy.
import Capabilities
import DeviceTree
import Glibc
import HostDisk
import Runtime

struct HostMachine: StorageMachine {
    var console = HostConsole()
    let loop: EventLoop<HostClock>
    let deviceTree: DeviceTree? = nil
    let isSealed: Bool
    let arguments: HostArguments
    private let waiter: HostWaiter
    private var networkTaken = false
    private var diskTaken = false

    init(arguments: HostArguments) {
        let waiter = HostWaiter()
        self.waiter = waiter
        self.arguments = arguments
        loop = EventLoop(clock: HostClock(waiter: waiter), sleep: { waiter.sleep() })
        isSealed = HostSealCheck.isSealed()
    }

    var commandLine: UnsafeRawBufferPointer { arguments.commandLine }

    /// A Linux process has memory to spare: 16 MiB, which gives the largest TCP buffers
    /// (256 KiB per direction) to the default eight connections.
    var networkMemoryBudget: Int { 16 << 20 }

    /// Opens the TAP device named by `tap=NAME`; the loop's sleep then also wakes on its frames.
    mutating func takeNetwork() -> (TAPInterface, HostEntropy)? {
        guard !networkTaken else { return nil }
        networkTaken = true
        guard let name = arguments.value(of: "tap") else {
            console.write(string: "host: no network: give tap=NAME\n")
            return nil
        }
        let interface: TAPInterface
        do {
            interface = try TAPInterface(name: name)
        } catch {
            switch error {
            case .nameTooLong: console.write(string: "host: tap=\(name): bad interface name\n")
            case .open(let code): console.write(string: "host: /dev/net/tun: \(String(cString: strerror(code)))\n")
            case .attach(let code): console.write(string: "host: tap=\(name): TUNSETIFF: \(String(cString: strerror(code)))\n")
            }
            return nil
        }
        waiter.watch(interface.descriptor)
        return (interface, HostEntropy())
    }

    /// Opens the disk image named by `disk=PATH` (read-only with `disk-readonly`).
    mutating func takeDisk() -> FileBlockDevice? {
        guard !diskTaken else { return nil }
        diskTaken = true
        guard let path = arguments.value(of: "disk") else {
            console.write(string: "host: no disk: give disk=PATH\n")
            return nil
        }
        do {
            let disk = try FileBlockDevice(path: path, readOnly: arguments.contains("disk-readonly"))
            console.write(string: "disk: \(path), \(disk.sectorCount) sectors of 512 bytes\(disk.isReadOnly ? ", read-only" : "")\n")
            return disk
        } catch {
            switch error {
            case .open(let code), .size(let code):
                console.write(string: "host: disk=\(path): \(String(cString: strerror(code)))\n")
            case .empty:
                console.write(string: "host: disk=\(path): smaller than one sector\n")
            }
            return nil
        }
    }

    func exit(status: Int) -> Never {
        var console = console
        console.write("seal: halted status=")
        console.write(decimal: status)
        console.write(byte: 10)
        Glibc.exit(Int32(truncatingIfNeeded: status))
    }
}
