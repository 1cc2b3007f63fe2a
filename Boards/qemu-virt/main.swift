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
guard let gicNode = (try? tree.firstNode(compatibleWith: "arm,cortex-a15-gic")) ?? (try? tree.firstNode(compatibleWith: "arm,gic-400")) else {
    console.writeLine("qemu-virt: no GICv2 in the device tree")
    halt(status: 6)
}
guard let gicRegisters = try? gicNode.registers, gicRegisters.count >= 2,
      let distributor = try? gicRegisters.range(at: 0), let cpuInterface = try? gicRegisters.range(at: 1) else { halt(status: 6) }
nonisolated(unsafe) var gic = GICv2(distributor: UInt(distributor.address), cpuInterface: UInt(cpuInterface.address))
gic.start()
InterruptEntry.handler = {
    while let interrupt = gic.acknowledge() {
        if !InterruptHandlers.dispatch(interrupt & 0x3ff) { gic.disable(interrupt & 0x3ff) }
        gic.endOfInterrupt(interrupt)
    }
}

// The virtual timer is the third of the architected timer's four interrupts.
guard let timerNode = try? tree.firstNode(compatibleWith: "arm,armv7-timer"),
      let timerInterrupt = gicInterruptNumber(timerNode, index: 2) else { halt(status: 7) }
let timer = GenericTimer(frequency: UInt64((try? timerNode.property(named: "clock-frequency")?.u32) ?? 0))
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
