// The echo server from NetworkStack's documentation, run as written against a client stack.
import Capabilities
import Network
import XCTest

final class ExampleTests: XCTestCase {
    /// One pass of the documented loop's body, verbatim but for the poll and the sleep.
    func echoServerPass(_ stack: inout TestStack, listener: TCPListener, clients: inout [TCPConnectionHandle],
                        buffer: inout [UInt8]) {
        while let connection = stack.accept(listener) { clients.append(connection) }
        for connection in clients {
            buffer.withUnsafeMutableBytes { bytes in
                let count = stack.receive(into: bytes, from: connection)
                _ = try? stack.send(UnsafeRawBufferPointer(rebasing: bytes[..<count]), on: connection)
            }
            if stack.hasReceivedEnd(connection) { stack.close(connection) }
        }
        clients.removeAll { stack.state(of: $0) == .closed }
    }

    func testDocumentedEchoServerLoop() throws {
        var pair = Pair()
        let listener = try pair.a.listen(port: 7)
        var clients: [TCPConnectionHandle] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        let client = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 7))
        var echoed: [UInt8] = []
        var sent = false
        pair.run(for: .seconds(10)) { pair in
            echoServerPass(&pair.a, listener: listener, clients: &clients, buffer: &buffer)
            if !sent && pair.b.state(of: client) == .established {
                sent = pair.b.send(Array("echo me".utf8), on: client) == 7
            }
            echoed += pair.b.readAll(client)
            return echoed.count == 7
        }
        XCTAssertEqual(String(decoding: echoed, as: UTF8.self), "echo me")
        XCTAssertEqual(clients.count, 1)
        pair.b.close(client)
        pair.run(for: .seconds(2)) { pair in
            echoServerPass(&pair.a, listener: listener, clients: &clients, buffer: &buffer)
            return clients.isEmpty
        }
        XCTAssertTrue(clients.isEmpty, "the server saw the end and closed")
        XCTAssertEqual(pair.b.state(of: client), .closed)
    }
}
