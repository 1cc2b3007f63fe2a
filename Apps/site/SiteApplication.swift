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
        let loop = machine.loop
        let service: HTTPService<M.Interface, M.Random, FileHandler<Partition<M.Disk>>, M.Terminal>
        do {
            service = try HTTPService(
                interface: network.interface, entropy: network.entropy, configuration: network.configuration,
                networkLimits: FileHandler<Partition<M.Disk>>.networkLimits(memoryBudget: machine.networkMemoryBudget),
                handler: FileHandler(fileSystem: volume, writable: writable,
                                     connections: FileHandler<Partition<M.Disk>>.serverLimits.connections),
                serverLimits: FileHandler<Partition<M.Disk>>.serverLimits, console: machine.console, now: loop.now)
        } catch {
            machine.console.writeLine("site: cannot listen on port 80")
            machine.exit(status: 4)
        }
        machine.console.writeLine("listening on port 80")
        loop.addPoll { now in service.poll(now: now) }
        loop.run()
        machine.exit(status: 0)
    }
}
