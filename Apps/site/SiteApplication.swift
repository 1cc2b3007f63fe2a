/// `site`: serves the files of the first FAT partition of the board's disk over HTTP; with `rw`, takes PUT and DELETE.
import Capabilities
import FAT
import Network
import Runtime
import Storage
import WebServer

public enum Application {
    public static func main<M: StorageMachine>(machine: inout M) {
        let writable = CommandLineWords.contains("rw", in: machine.commandLine)
        let volume = FATVolume.open(machine: &machine, application: "site", writable: writable)
        let network = machine.startNetworking("site")
        typealias Handler = FileHandler<Partition<M.Disk>>
        let budget = machine.networkMemoryBudget
        let console = machine.console
        let now = machine.loop.now
        machine.serve("site") { () throws(SocketError) in
            try HTTPService(interface: network.interface, entropy: network.entropy,
                            configuration: network.configuration,
                            networkLimits: Handler.networkLimits(memoryBudget: budget),
                            handler: Handler(fileSystem: volume, writable: writable,
                                             connections: Handler.serverLimits.connections),
                            serverLimits: Handler.serverLimits, console: console, now: now)
        }
    }
}
