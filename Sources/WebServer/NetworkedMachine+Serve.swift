/// How every HTTP app ends its `main`: start the service, say where it listens, run the event loop.

import Capabilities
import Network
import Runtime

extension NetworkedMachine {
    /// Makes the service with `make`, prints `listening on port N`, and runs it on the event loop
    /// until the loop stops (then exits 0). When the port cannot be had, prints
    /// `<application>: cannot listen on port N` and exits with status 4.
    public mutating func serve<Handler: HTTPStreamingHandler, Output>(
        _ application: StaticString, port: UInt16 = 80,
        _ make: () throws(SocketError) -> HTTPService<Interface, Random, Handler, Output>
    ) -> Never {
        let service: HTTPService<Interface, Random, Handler, Output>
        do {
            service = try make()
        } catch {
            console.write(application)
            console.write(": cannot listen on port ")
            console.write(decimal: UInt64(port))
            console.write(byte: 10)
            exit(status: 4)
        }
        console.write("listening on port ")
        console.write(decimal: UInt64(service.server.port))
        console.write(byte: 10)
        loop.addPoll { now in service.poll(now: now) }
        loop.run()
        exit(status: 0)
    }
}
