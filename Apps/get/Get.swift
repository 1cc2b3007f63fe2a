/// `get`: `url=http://NAME[:PORT]/PATH` — resolve NAME through DNS, fetch with HTTP/1.1, print `got <n> bytes sha256 <hex>`.
import Capabilities
import HTTP
import Network
import Runtime

public enum Application {
    public static func main<M: NetworkedMachine>(machine: inout M) {
        guard let urlText = CommandLineWords.value(of: "url", in: machine.commandLine),
              let url = try? HTTPURL(parsing: urlText) else {
            machine.console.writeLine("get: needs url=http://NAME[:PORT]/PATH")
            machine.exit(status: 2)
        }
        let network = machine.startNetworking("get")
        let loop = machine.loop
        let client = GetClient(interface: network.interface, entropy: network.entropy,
                               configuration: network.configuration, url: url,
                               limits: NetworkLimits(memoryBudget: machine.networkMemoryBudget),
                               console: machine.console, now: loop.now)
        loop.addPoll { now in
            let deadline = client.poll(now: now)
            if client.outcome != nil { loop.stop() }
            return deadline
        }
        // Bounded: a fetch that has not finished in ten minutes has failed.
        loop.after(.seconds(600)) { client.fail("timed out") }
        loop.run()
        machine.exit(status: client.outcome ?? 1)
    }
}
