/// Board `cubieboard`: the Allwinner A10 (Cortex-A8, A10 interrupt controller and timer, 16550 UART, EMAC, sun4i SD host), everything found through the device tree.
import ARMBoot
import App
import Capabilities
import DeviceTree
import Drivers
import Platform
import Runtime

guard let tree = Startup.bootDeviceTree() else { halt(status: 3) }
do { try Startup.mapMemory(tree) } catch { halt(status: 4) }

// Console first, so anything after can report: the UART /chosen/stdout-path names.
guard let uartNode = consoleNode(tree), let uartBase = registerBase(uartNode) else { halt(status: 5) }
nonisolated(unsafe) var uart = UART16550(base: uartBase, registerShift: UInt(cellProperty(uartNode, "reg-shift") ?? 0),
                                         registerWidth: UInt(cellProperty(uartNode, "reg-io-width") ?? 1))
uart.start()
SystemHooks.writeByte = { byte in
    if byte == 10 { uart.writeByte(13) }
    uart.writeByte(byte)
}
// No power-off on this board (QEMU's cubieboard has none; the A10's PMIC sits behind I2C):
// `halt` prints its marker line and sleeps, and the harness stops QEMU.

var console = SystemConsole()
guard let controllerNode = try? tree.firstNode(compatibleWith: "allwinner,sun4i-a10-ic"),
      let controllerBase = registerBase(controllerNode) else {
    console.writeLine("cubieboard: no allwinner,sun4i-a10-ic interrupt controller in the device tree")
    halt(status: 6)
}
nonisolated(unsafe) var interruptController = A10InterruptController(base: controllerBase)
interruptController.start()
InterruptEntry.handler = {
    // Bounded: a source whose handler cannot quieten it is disabled rather than spun on.
    var rounds = 0
    while rounds < 32, let interrupt = interruptController.acknowledge() {
        if !InterruptHandlers.dispatch(interrupt) { interruptController.disable(interrupt) }
        interruptController.endOfInterrupt(interrupt)
        rounds += 1
    }
}

// The timer block: its first interrupt is timer 0's, the wake-up; its clock is the crystal.
guard let timerNode = try? tree.firstNode(compatibleWith: "allwinner,sun4i-a10-timer"),
      let timerBase = registerBase(timerNode), let timerInterrupt = interruptNumber(timerNode, index: 0) else {
    console.writeLine("cubieboard: no usable allwinner,sun4i-a10-timer in the device tree")
    halt(status: 7)
}
guard let oscillator = firstClockFrequency(tree, timerNode) else {
    console.writeLine("cubieboard: the timer's clock has no clock-frequency")
    halt(status: 7)
}
let timer = A10Timer(base: timerBase, oscillatorFrequency: oscillator)
CubieboardEntropy.mixBootJitter()
InterruptHandlers.register(timerInterrupt) { _ in A10Timer.interruptFired() }
interruptController.enable(timerInterrupt)

if let uartInterrupt = interruptNumber(uartNode, index: 0) {
    InterruptHandlers.register(uartInterrupt) { _ in uart.handleInterrupt() }
    interruptController.enable(uartInterrupt)
}
arm_enable_interrupts()

// The EMAC starts when the app asks: see Cubieboard.takeNetwork().
var machine = Cubieboard(console: uart, loop: EventLoop(clock: timer, sleep: Idle.waitForInterrupt),
                         deviceTree: tree, interruptController: interruptController)
Application.main(machine: &machine)
halt(status: 0)
