/// `www`: an HTTP/1.1 server on port 80 for the site in Apps/www/site/, compiled into the image.
import Capabilities
import Network
import Runtime
import WebServer

public enum Application {
    public static func main<M: NetworkedMachine>(machine: inout M) {
        let network = machine.startNetworking("www")
        let budget = machine.networkMemoryBudget
        let console = machine.console
        let now = machine.loop.now
        machine.serve("www") { () throws(SocketError) in
            try WebSite.start(interface: network.interface, entropy: network.entropy,
                              configuration: network.configuration, memoryBudget: budget, console: console, now: now)
        }
    }
}
