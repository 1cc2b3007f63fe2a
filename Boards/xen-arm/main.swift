/// Board `xen-arm`: a Xen-on-ARM guest (dom0less or `xl create`): vpl011 console, vGIC, virtual timer, event channels, grant table, xenstore.
import ARMBoot
import App
import Capabilities
import DeviceTree
import Drivers
import Platform
import Runtime
import Xen
import XenABI

XenShutdown.install()
guard let tree = Startup.bootDeviceTree() else { halt(status: 3) }

// The toolstack's xenstore and console pages lie outside RAM (arch-arm.h GUEST_MAGIC_BASE) and the
// grant frames in the hypervisor node's window: all are ordinary memory for the page table.
let hypervisor = HypervisorNode(tree)
let toolstack = hypervisor == nil ? ToolstackPages() : ToolstackPages.read()
var sharedMemory = toolstack.windows
if let hypervisor { sharedMemory.append(hypervisor.grantWindow) }
do { try Startup.mapMemory(tree, sharedMemory: sharedMemory) } catch { halt(status: 4) }

// Console first: the vpl011 (an SBSA generic UART) when the domain has one.
let uartNode = (try? tree.firstNode(compatibleWith: "arm,sbsa-uart")) ?? (try? tree.firstNode(compatibleWith: "arm,pl011"))
nonisolated(unsafe) var uart: PL011? = nil
if let uartNode, let register = (try? uartNode.registers)?.first(where: { _ in true }) {
    uart = PL011(base: UInt(register.address))
    uart?.start(genericSubset: true)
}
SystemHooks.writeByte = { byte in
    if byte == 10 { uart?.writeByte(13) }
    uart?.writeByte(byte)
    XenConsoleOutput.write(byte)
}
var console = SystemConsole()

guard let found = GICv2(deviceTree: tree) else {
    console.writeLine("xen-arm: no GICv2 in the device tree")
    halt(status: 6)
}
nonisolated(unsafe) var gic = found
gic.start()
InterruptEntry.handler = { gic.serviceInterrupts() }

guard let (timer, timerInterrupt) = GenericTimer.virtualTimer(in: tree) else { halt(status: 7) }
InterruptHandlers.register(timerInterrupt) { _ in GenericTimer.interruptFired() }
gic.enable(timerInterrupt)
if let uartNode, let uartInterrupt = gicInterruptNumber(uartNode, index: 0) {
    InterruptHandlers.register(uartInterrupt) { _ in uart?.handleInterrupt() }
    gic.enable(uartInterrupt)
}

let version = Hypercall.version()
console.write("xen: version ")
console.write(decimal: version.major)
console.write(".")
console.write(decimal: version.minor)
var domain: XenDomain? = nil
if let hypervisor {
    console.write(", grant window 0x")
    console.write(hex: hypervisor.grantWindow.address, width: 8)
    console.write("+")
    console.write(hex: hypervisor.grantWindow.size)
    console.write(", event upcall irq ")
    console.write(decimal: Int(hypervisor.upcallInterrupt))
    console.write(byte: 10)
    // The upcall only ends `wfi`: the event loop's poll scans the ports (XenDomain.dispatchEvents).
    InterruptHandlers.register(hypervisor.upcallInterrupt) { _ in }
    gic.enable(hypervisor.upcallInterrupt)
    domain = XenDomain(hypervisor: hypervisor, pages: toolstack, timer: timer, console: &console)
} else {
    console.writeLine(", no /hypervisor node: no event channels or grants")
}
arm_enable_interrupts()

if let domain {
    console.write("xen: ")
    console.write(decimal: Int(domain.grantFrames))
    console.write(" grant frames, xenstore ")
    console.write(domain.store == nil ? "none" : "ring")
    XenConsoleOutput.start(domain)
    console.writeLine(XenConsoleOutput.ring == nil ? ", no PV console" : ", PV console")
    EventChannelLoopback.run(domain, console: &console)
    DebugKey.bind(domain, console: &console)
}

var machine = XenArm(console: SystemConsole(), loop: EventLoop(clock: timer, sleep: Idle.waitForInterrupt),
                     deviceTree: tree, domain: domain)
Application.main(machine: &machine)
halt(status: 0)
