/// `echo`: TCP echo (port 7) and discard (port 9) and UDP echo (port 7) on the board's network device.
import Capabilities
import Network
import Runtime

public enum Application {
    public static func main<M: NetworkedMachine>(machine: inout M) {
        let network = machine.startNetworking("echo")
        let loop = machine.loop
        let server: EchoServer<M.Interface, M.Random, M.Terminal>
        do {
            server = try EchoServer(interface: network.interface, entropy: network.entropy, configuration: network.configuration,
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
