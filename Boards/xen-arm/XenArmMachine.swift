/// The xen-arm machine an app sees: the console, the generic-timer event loop with the event-channel scan as its first poll, the device tree, and Xen's PV devices on request.
import ARMBoot
import Capabilities
import DeviceTree
import Platform
import Runtime
import Xen

struct XenArm: Machine {
    var console: SystemConsole
    let loop: EventLoop<GenericTimer>
    let deviceTree: DeviceTree?
    let isSealed: Bool
    /// `/chosen/bootargs` (the `.xl` file's `extra`), a slice of the device tree.
    let commandLine: UnsafeRawBufferPointer
    /// An eighth of the domain's RAM (`BoardFacts`).
    let networkMemoryBudget: Int
    /// Event channels, grants and xenstore; nil without a `/hypervisor` node.
    let domain: XenDomain?
    var networkTaken = false
    var diskTaken = false

    init(console: SystemConsole, loop: EventLoop<GenericTimer>, deviceTree: DeviceTree, domain: XenDomain?) {
        self.console = console
        self.loop = loop
        self.deviceTree = deviceTree
        self.domain = domain
        isSealed = SealCheck.isSealed()
        let facts = BoardFacts(deviceTree)
        commandLine = facts.commandLine
        networkMemoryBudget = facts.networkMemoryBudget
        // Events are dispatched in the loop, before the app's polls see their devices.
        if let domain {
            loop.addPoll { now in domain.dispatchEvents() ? now : nil }
        }
    }

    func exit(status: Int) -> Never { halt(status: status) }
}
