/// `echo`: TCP echo (port 7) and discard (port 9) and UDP echo (port 7) on the board's network device.
import Capabilities
import Network
import Runtime

public enum Application {
    public static func main<M: NetworkedMachine>(machine: inout M) {
        let configuration: NetworkConfiguration
        do {
            configuration = try NetworkConfiguration(parsingArguments: machine.commandLine)
        } catch {
            machine.console.write("echo: ")
            machine.console.write(error.reason)
            machine.console.write(byte: 10)
            machine.exit(status: 2)
        }
        guard let network = machine.takeNetwork() else {
            machine.console.writeLine("echo: no network device")
            machine.exit(status: 3)
        }
        let loop = machine.loop
        let server: EchoServer<M.Interface, M.Random, M.Terminal>
        do {
            server = try EchoServer(interface: network.0, entropy: network.1, configuration: configuration,
                                    limits: NetworkLimits(memoryBudget: machine.networkMemoryBudget),
                                    console: machine.console, now: loop.now)
        } catch {
            machine.console.writeLine("echo: cannot open the echo and discard ports")
            machine.exit(status: 4)
        }
        machine.console.writeLine("echo: tcp 7 echo, tcp 9 discard, udp 7 echo")
        loop.addPoll { now in server.poll(now: now) }
        loop.run()
        machine.exit(status: 0)
    }
}
