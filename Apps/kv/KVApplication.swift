/// `kv`: the crash-safe key-value store on the board's disk, over HTTP (`/kv/<key>`, `/sync`, `/snapshot/<name>`).
import Capabilities
import KV
import Network
import Runtime
import Storage
import WebServer

public enum Application {
    public static func main<M: StorageMachine>(machine: inout M) {
        // The network first: starting its entropy device also reseeds the hash tables the
        // store's index is made of.
        let network = machine.startNetworking("kv")
        let store = StoreOpening.open(machine: &machine)
        typealias Handler = StoreHandler<Partition<M.Disk>>
        let budget = machine.networkMemoryBudget
        let console = machine.console
        let now = machine.loop.now
        machine.serve("kv") { () throws(SocketError) in
            try HTTPService(interface: network.interface, entropy: network.entropy,
                            configuration: network.configuration,
                            networkLimits: Handler.networkLimits(memoryBudget: budget),
                            handler: Handler(store: store, connections: Handler.serverLimits.connections),
                            serverLimits: Handler.serverLimits, console: console, now: now)
        }
    }
}
