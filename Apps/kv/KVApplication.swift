/// `kv`: the crash-safe key-value store on the board's disk, over HTTP (`/kv/<key>`, `/sync`, `/snapshot/<name>`).
import Capabilities
import KV
import Network
import Runtime
import WebServer

public enum Application {
    public static func main<M: StorageMachine>(machine: inout M) {
        // The network first: starting its entropy device also reseeds the hash tables the
        // store's index is made of.
        let network = machine.startNetworking("kv")
        let store = StoreOpening.open(machine: &machine)
        let loop = machine.loop
        let service: HTTPService<M.Interface, M.Random, StoreHandler<M.Disk>, M.Terminal>
        do {
            service = try HTTPService(
                interface: network.interface, entropy: network.entropy, configuration: network.configuration,
                networkLimits: StoreHandler<M.Disk>.networkLimits(memoryBudget: machine.networkMemoryBudget),
                handler: StoreHandler(store: store, connections: StoreHandler<M.Disk>.serverLimits.connections),
                serverLimits: StoreHandler<M.Disk>.serverLimits, console: machine.console, now: loop.now)
        } catch {
            machine.console.writeLine("kv: cannot listen on port 80")
            machine.exit(status: 4)
        }
        machine.console.writeLine("listening on port 80")
        loop.addPoll { now in service.poll(now: now) }
        loop.run()
        machine.exit(status: 0)
    }
}
