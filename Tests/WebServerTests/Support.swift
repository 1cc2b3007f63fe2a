// Test support: two Seal stacks on an in-memory wire, the server on one, HTTP clients on the other.
import Capabilities
import HTTP
import Network
import WebServer
import Foundation
import XCTest

/// Frames in flight between two sides; side 0's transmissions land in side 1's inbox.
final class Wire {
    var inbox: [[[UInt8]]] = [[], []]
    var heads = [0, 0]
    func deliver(_ frame: [UInt8], to side: Int) { inbox[side].append(frame) }
    func next(for side: Int) -> [UInt8]? {
        guard heads[side] < inbox[side].count else { return nil }
        let frame = inbox[side][heads[side]]
        heads[side] += 1
        if heads[side] == inbox[side].count {
            inbox[side].removeAll(keepingCapacity: true)
            heads[side] = 0
        }
        return frame
    }
    var isIdle: Bool { heads[0] == inbox[0].count && heads[1] == inbox[1].count }
}

struct MemoryInterface: NetworkInterface {
    let wire: Wire
    let side: Int
    let macAddress: MACAddress
    var maximumTransmissionUnit = 1500

    mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard let frame = wire.next(for: side) else { return nil }
        return frame.withUnsafeBytes(body)
    }

    mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard length <= maximumTransmissionUnit + 14 else { return false }
        var frame = [UInt8](repeating: 0, count: length)
        frame.withUnsafeMutableBytes(fill)
        wire.deliver(frame, to: 1 - side)
        return true
    }
}

typealias LossyInterface = FaultInjector<MemoryInterface, SplitMix64>
typealias TestStack = NetworkStack<LossyInterface, SplitMix64>
typealias TestServer = HTTPServer<LossyInterface, SplitMix64, TestHandler>

let serverAddress = IPv4Address(10, 0, 0, 1)
let clientAddress = IPv4Address(10, 0, 0, 2)

/// Content of `GET /bytes/<n>`: byte i is i mod 251, generated as TCP makes room.
struct PatternBody: HTTPBodySource {
    mutating func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        var value = offset % 251
        for index in 0..<buffer.count {
            buffer[index] = UInt8(value)
            value = value == 250 ? 0 : value + 1
        }
        return true
    }
}

/// The server's handler: a router for fixed responses, `/bytes/<n>` streamed.
struct TestHandler: HTTPStreamingHandler {
    var router = HTTPRouter()

    init() {
        router.add(.get, "/") { _, _, response in
            response.respond(status: .ok, contentType: "text/plain", body: "hello\n")
        }
        router.add(.post, "/echo") { _, request, response in
            // The body stays in the connection's buffer until this response has been sent.
            response.respond(status: .ok, contentType: "application/octet-stream", borrowedBody: request.body)
        }
        router.add(.get, "/bytes/", matching: .prefix) { _, _, response in
            response.respond(status: .badRequest)
        }
    }

    mutating func respond(to request: HTTPRequest, with response: inout HTTPResponseWriter) {
        router.respond(to: request, with: &response)
    }

    mutating func streamedResponse(to request: HTTPRequest) -> HTTPStreamedResponse<PatternBody>? {
        let path = String(decoding: request.path, as: UTF8.self)
        guard request.method == .get || request.method == .head, path.hasPrefix("/bytes/"),
              let count = Int(path.dropFirst(7)) else { return nil }
        return HTTPStreamedResponse(contentType: "application/octet-stream", contentLength: count, body: PatternBody())
    }
}

/// A server stack (10.0.0.1) and a client stack (10.0.0.2) on one wire, the server polled
/// after its stack, on a clock the test advances.
final class Harness {
    let wire = Wire()
    var serverStack: TestStack
    var clientStack: TestStack
    let server: TestServer
    var now = Instant(nanoseconds: 1_000_000_000)
    var serverDeadline: Instant? = nil
    /// Most connections the server held at once.
    var peakConnections = 0

    static func networkLimits(connections: Int, buffer: Int = 64 * 1024) -> NetworkLimits {
        var limits = NetworkLimits()
        limits.tcpConnections = connections
        limits.tcpBacklog = connections
        limits.tcpSendBufferSize = buffer
        limits.tcpReceiveBufferSize = buffer
        limits.framesPerPoll = 256
        return limits
    }

    init(serverLimits: HTTPServerLimits = HTTPServerLimits(),
         serverNetwork: NetworkLimits = Harness.networkLimits(connections: 16),
         clientNetwork: NetworkLimits = Harness.networkLimits(connections: 16)) throws {
        serverStack = NetworkStack(
            interface: FaultInjector(wrapping: MemoryInterface(wire: wire, side: 0, macAddress: MACAddress(2, 0, 0, 0, 0, 1)),
                                     random: SplitMix64(seed: 11)),
            entropy: SplitMix64(seed: 1),
            configuration: NetworkConfiguration(address: .fixed(address: serverAddress, prefixLength: 24, gateway: nil)),
            limits: serverNetwork, now: now)
        clientStack = NetworkStack(
            interface: FaultInjector(wrapping: MemoryInterface(wire: wire, side: 1, macAddress: MACAddress(2, 0, 0, 0, 0, 2)),
                                     random: SplitMix64(seed: 12)),
            entropy: SplitMix64(seed: 2),
            configuration: NetworkConfiguration(address: .fixed(address: clientAddress, prefixLength: 24, gateway: nil)),
            limits: clientNetwork, now: now)
        server = try TestServer(stack: &serverStack, port: 80, handler: TestHandler(), limits: serverLimits, now: now)
    }

    /// Loses, duplicates and reorders frames in both directions.
    func setLoss(perMillion loss: UInt32, duplication: UInt32 = 0, reordering: UInt32 = 0) {
        serverStack.interface.lossPerMillion = loss
        clientStack.interface.lossPerMillion = loss
        serverStack.interface.duplicationPerMillion = duplication
        clientStack.interface.duplicationPerMillion = duplication
        serverStack.interface.reorderingPerMillion = reordering
        clientStack.interface.reorderingPerMillion = reordering
    }

    /// One step: the clock moves (by the link latency while frames are in flight, else to
    /// the next deadline), then the server's stack, the server and the client's stack poll.
    func step(maximumJump: Duration = .milliseconds(100)) {
        if wire.isIdle {
            serverStack.interface.flushHeld()
            clientStack.interface.flushHeld()
        }
        if wire.isIdle {
            let deadlines = [serverStack.nextDeadline, clientStack.nextDeadline, serverDeadline].compactMap { $0 }
            let target = min(deadlines.min() ?? now.advanced(by: maximumJump), now.advanced(by: maximumJump))
            now = target > now ? target : now.advanced(by: .microseconds(100))
        } else {
            now = now.advanced(by: .microseconds(100))  // Link latency.
        }
        serverStack.poll(now: now)
        serverDeadline = server.poll(stack: &serverStack, now: now)
        peakConnections = max(peakConnections, server.openConnections)
        clientStack.poll(now: now)
    }

    /// Steps until `condition` holds or `limit` of simulated time passes; returns whether it held.
    @discardableResult
    func run(for limit: Duration = .seconds(60), until condition: () -> Bool) -> Bool {
        let end = now.advanced(by: limit)
        while now < end {
            if condition() { return true }
            step()
        }
        return condition()
    }

    /// Opens a client connection to the server and waits for the handshake.
    func connect(waitForEstablished: Bool = true) throws -> TestClient {
        let handle = try clientStack.connect(to: IPv4Endpoint(address: serverAddress, port: 80))
        let client = TestClient(handle: handle)
        if waitForEstablished {
            XCTAssertTrue(run(for: .seconds(10)) { clientStack.state(of: handle) == .established }, "no handshake")
        }
        return client
    }

    /// Sends `requests` on a new connection and collects the responses; `heads` marks the
    /// responses that have no content (answers to HEAD).
    func exchange(_ request: [UInt8], expecting count: Int, heads: Set<Int> = [],
                  limit: Duration = .seconds(60)) throws -> [TestResponse] {
        let client = try connect()
        client.queue(request)
        var responses: [TestResponse] = []
        run(for: limit) {
            client.pump(&clientStack)
            responses = parseResponses(client.received, heads: heads)
            return responses.count >= count
        }
        return responses
    }
}

/// One HTTP client connection on the client stack.
final class TestClient {
    let handle: TCPConnectionHandle
    var received: [UInt8] = []
    var outgoing: [UInt8] = []
    var sentOffset = 0
    var buffer = [UInt8](repeating: 0, count: 65536)

    init(handle: TCPConnectionHandle) {
        self.handle = handle
    }

    func queue(_ bytes: [UInt8]) { outgoing += bytes }
    var allSent: Bool { sentOffset == outgoing.count }

    /// Sends what TCP takes, reads everything waiting.
    func pump(_ stack: inout TestStack) {
        while sentOffset < outgoing.count {
            let end = min(outgoing.count, sentOffset + 65536)
            let sent = outgoing.withUnsafeBytes { bytes in
                (try? stack.send(UnsafeRawBufferPointer(rebasing: bytes[sentOffset..<end]), on: handle)) ?? 0
            }
            if sent == 0 { break }
            sentOffset += sent
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { stack.receive(into: $0, from: handle) }
            if count == 0 { break }
            received += buffer[0..<count]
        }
    }
}

struct TestResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// The complete responses at the start of `bytes`, framed by Content-Length.
func parseResponses(_ bytes: [UInt8], heads: Set<Int> = []) -> [TestResponse] {
    var responses: [TestResponse] = []
    var position = 0
    while true {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: position) else { break }
        let head = String(decoding: bytes[position..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { break }
        let headers = lines.map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        var response = TestResponse(status: status, headers: headers, body: [])
        let length = heads.contains(responses.count) || status == 100 ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        let bodyStart = headEnd + 4
        guard bytes.count - bodyStart >= length else { break }
        response.body = Array(bytes[bodyStart..<bodyStart + length])
        position = bodyStart + length
        if status != 100 { responses.append(response) }
    }
    return responses
}

func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    var index = start
    while index + needle.count <= haystack.count {
        if haystack[index] == needle[0] && Array(haystack[index..<index + needle.count]) == needle { return index }
        index += 1
    }
    return nil
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}
