/// Board `qemu-virt`: QEMU's virt machine (Cortex-A15, GICv2, generic timer, PL011, virtio-mmio), everything found through the device tree.
import ARMBoot
import App
import Capabilities
import DeviceTree
import Drivers
import Platform
import Runtime

guard let tree = Startup.bootDeviceTree() else { halt(status: 3) }
do { try Startup.mapMemory(tree) } catch { halt(status: 4) }

// Console first, so anything after can report.
guard let uartNode = try? tree.firstNode(compatibleWith: "arm,pl011"),
      let uartRegister = (try? uartNode.registers)?.first(where: { _ in true }) else { halt(status: 5) }
nonisolated(unsafe) var uart = PL011(base: UInt(uartRegister.address))
uart.start()
SystemHooks.writeByte = { byte in
    if byte == 10 { uart.writeByte(13) }
    uart.writeByte(byte)
}

nonisolated(unsafe) var powerController = PSCI(deviceTree: tree)
SystemHooks.powerOff = { powerController?.systemOff() }

// Interrupts: the GIC's distributor and CPU interface are its first two `reg` entries.
var console = SystemConsole()
guard let found = GICv2(deviceTree: tree) else {
    console.writeLine("qemu-virt: no GICv2 in the device tree")
    halt(status: 6)
}
nonisolated(unsafe) var gic = found
gic.start()
InterruptEntry.handler = { gic.serviceInterrupts() }

guard let (timer, timerInterrupt) = GenericTimer.virtualTimer(in: tree) else { halt(status: 7) }
InterruptHandlers.register(timerInterrupt) { _ in GenericTimer.interruptFired() }
gic.enable(timerInterrupt)

if let uartInterrupt = gicInterruptNumber(uartNode, index: 0) {
    InterruptHandlers.register(uartInterrupt) { _ in uart.handleInterrupt() }
    gic.enable(uartInterrupt)
}
arm_enable_interrupts()

// Devices beyond these (virtio-net, virtio-rng) start when the app asks: see QemuVirt.takeNetwork().
var machine = QemuVirt(console: uart, loop: EventLoop(clock: timer, sleep: Idle.waitForInterrupt),
                       deviceTree: tree, interruptController: gic)
Application.main(machine: &machine)
halt(status: 0)
