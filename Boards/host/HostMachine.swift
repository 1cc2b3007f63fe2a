/// The `host` machine: a Linux process with stdout as console, CLOCK_MONOTONIC, a TAP device and the kernel's entropy.
import Capabilities
import DeviceTree
import Glibc
import Runtime

struct HostMachine: NetworkedMachine {
    var console = HostConsole()
    let loop: EventLoop<HostClock>
    let deviceTree: DeviceTree? = nil
    let isSealed: Bool
    let arguments: HostArguments
    private let waiter: HostWaiter
    private var networkTaken = false

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

    func exit(status: Int) -> Never {
        var console = console
        console.write("seal: halted status=")
        console.write(decimal: status)
        console.write(byte: 10)
        Glibc.exit(Int32(truncatingIfNeeded: status))
    }
}
