/// `www`: an HTTP/1.1 server on port 80 for the site in Apps/www/site/, compiled into the image.
import Capabilities
import Network
import Runtime
import WebServer

public enum Application {
    public static func main<M: NetworkedMachine>(machine: inout M) {
        let network = machine.startNetworking("www")
        let loop = machine.loop
        let site: HTTPService<M.Interface, M.Random, SiteHandler, M.Terminal>
        do {
            site = try WebSite.start(interface: network.interface, entropy: network.entropy,
                                     configuration: network.configuration, memoryBudget: machine.networkMemoryBudget,
                                     console: machine.console, now: loop.now)
        } catch {
            machine.console.writeLine("www: cannot listen on port 80")
            machine.exit(status: 4)
        }
        machine.console.writeLine("listening on port 80")
        loop.addPoll { now in site.poll(now: now) }
        loop.run()
        machine.exit(status: 0)
    }
}
