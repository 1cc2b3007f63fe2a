/// `hello`: prints what the live device tree says about the machine, proves the timer interrupt with three ticks (and echoes console lines), powers off.
import Capabilities
import DeviceTree
import Runtime

public enum Application {
    public static func main<M: Machine>(machine: inout M) {
        if let tree = machine.deviceTree {
            describe(tree, on: &machine.console)
        } else {
            machine.console.writeLine("device tree: none")
        }
        machine.console.writeLine(machine.isSealed ? "sealed: yes" : "sealed: no")

        var ticks = 0
        let loop = machine.loop
        var console = machine.console
        // Console input arrives by interrupt; each line typed comes back as `input: <line>`.
        var line: [UInt8] = []
        loop.addPoll { _ in
            while let byte = console.read() {
                if byte == 13 || byte == 10 {
                    if !line.isEmpty {
                        console.write("input: ")
                        line.withUnsafeBytes { console.write($0) }
                        console.write(byte: 10)
                        line.removeAll(keepingCapacity: true)
                    }
                } else if line.count < 80 {
                    line.append(byte)
                }
            }
            return nil
        }
        loop.every(.seconds(1)) {
            ticks += 1
            console.write("tick ")
            console.write(decimal: ticks)
            console.write(byte: 10)
            if ticks == 3 { loop.stop() }
        }
        loop.run()
        machine.exit(status: 0)
    }

    static func describe<Output: Console>(_ tree: DeviceTree, on console: inout Output) {
        console.write("model: ")
        if let model = try? tree.model { console.write(model) }
        console.write(byte: 10)

        console.write("memory: ")
        if let region = (try? tree.memoryRegions)?.first(where: { _ in true }) {
            console.write("base=")
            console.write(hex: region.address)
            console.write(" size=")
            console.write(hex: region.size)
        } else {
            console.write("none")
        }
        console.write(byte: 10)

        console.write("cpus: ")
        console.write(decimal: (try? tree.cpuCount) ?? 0)
        console.write(byte: 10)

        console.write("bootargs: ")
        if let arguments = try? tree.bootArguments { console.write(arguments) }
        console.write(byte: 10)
    }
}
