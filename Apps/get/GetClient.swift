/// The fetch as a state machine the event loop drives: address, name, connection, request, response.
import Capabilities
import Digest
import HTTP
import Network

final class GetClient<Interface: NetworkInterface, Random: Entropy, Output: Console> {
    private enum Phase {
        case waitingForAddress
        case resolving(DNSQuery)
        case connecting(TCPConnectionHandle)
        case sending(TCPConnectionHandle, sent: Int)
        case receiving(TCPConnectionHandle)
        case finished
    }

    private var stack: NetworkStack<Interface, Random>
    private var console: Output
    private let url: HTTPURL
    private var phase = Phase.waitingForAddress
    private var reader = HTTPResponseReader()
    private var digest = SHA256()
    private let request: UnsafeMutableRawBufferPointer
    private var requestLength = 0
    private let scratch: UnsafeMutableRawBufferPointer
    /// The exit status once the fetch is over.
    private(set) var outcome: Int? = nil

    init(interface: Interface, entropy: Random, configuration: NetworkConfiguration, url: HTTPURL,
         limits: NetworkLimits, console: Output, now: Instant) {
        stack = NetworkStack(interface: interface, entropy: entropy, configuration: configuration,
                             limits: limits, now: now)
        self.console = console
        self.url = url
        request = .allocate(byteCount: 512 + url.host.count + url.target.count, alignment: 1)
        scratch = .allocate(byteCount: 16384, alignment: 8)
        buildRequest()
    }

    deinit {
        request.deallocate()
        scratch.deallocate()
    }

    /// One pass of the event loop; returns when to run again.
    func poll(now: Instant) -> Instant? {
        stack.poll(now: now)
        advance()
        return stack.nextDeadline
    }

    func fail(_ reason: StaticString) {
        guard outcome == nil else { return }
        console.write("get: ")
        console.writeLine(reason)
        outcome = 1
        phase = .finished
    }

    private func advance() {
        switch phase {
        case .waitingForAddress:
            guard stack.address != nil else { return }
            if let address = IPv4Address(parsing: url.host) {
                connect(to: address)
            } else {
                do { phase = .resolving(try stack.resolve(url.host)) } catch { fail("the name cannot be resolved") }
            }
        case .resolving(let query):
            switch stack.result(of: query) {
            case .pending: return
            case .resolved(let address):
                stack.release(query)
                connect(to: address)
            case .failed:
                stack.release(query)
                fail("DNS lookup failed")
            }
        case .connecting(let handle):
            switch stack.state(of: handle) {
            case .established: phase = .sending(handle, sent: 0); advance()
            case .closed: fail("connection refused or timed out")
            default: return
            }
        case .sending(let handle, let sent):
            let rest = UnsafeRawBufferPointer(rebasing: request[sent..<requestLength])
            guard let count = try? stack.send(rest, on: handle) else { return fail("connection lost while sending") }
            phase = sent + count == requestLength ? .receiving(handle) : .sending(handle, sent: sent + count)
            if case .receiving = phase { advance() }
        case .receiving(let handle):
            receive(on: handle)
        case .finished:
            return
        }
    }

    private func connect(to address: IPv4Address) {
        do {
            phase = .connecting(try stack.connect(to: IPv4Endpoint(address: address, port: url.port)))
        } catch {
            fail("no free connection")
        }
    }

    private func receive(on handle: TCPConnectionHandle) {
        while true {
            let count = stack.receive(into: scratch, from: handle)
            guard count > 0 else { break }
            do {
                try reader.receive(UnsafeRawBufferPointer(rebasing: scratch[0..<count])) { digest.update($0) }
            } catch {
                stack.abort(handle)
                return fail("malformed response")
            }
            if reader.isComplete { return finish(handle) }
        }
        if stack.hasReceivedEnd(handle) || stack.state(of: handle) == .closed {
            do { try reader.receiveEnd() } catch { stack.close(handle); return fail("the response was cut short") }
            finish(handle)
        }
    }

    private func finish(_ handle: TCPConnectionHandle) {
        stack.close(handle)
        phase = .finished
        if !(200...299).contains(reader.status) {
            console.write("get: status ")
            console.write(decimal: Int(reader.status))
            console.write(byte: 10)
        }
        console.write("got ")
        console.write(decimal: reader.bodyLength)
        console.write(" bytes sha256 ")
        let hex = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<64])
        _ = try? digest.finalize().hexadecimal(into: hex)
        console.write(UnsafeRawBufferPointer(hex))
        console.write(byte: 10)
        outcome = (200...299).contains(reader.status) ? 0 : 1
    }

    /// `GET target HTTP/1.1`, Host, `Connection: close` (RFC 9112 §3, §9.6).
    private func buildRequest() {
        func append(_ bytes: UnsafeRawBufferPointer) {
            UnsafeMutableRawBufferPointer(rebasing: request[requestLength..<requestLength + bytes.count]).copyMemory(from: bytes)
            requestLength += bytes.count
        }
        func append(_ text: StaticString) { append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }
        append("GET ")
        append(url.target)
        append(" HTTP/1.1\r\nHost: ")
        append(url.host)
        if url.port != 80 {
            append(":")
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
            var count = 0
            var port = url.port
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat { buffer[4 - count] = 0x30 + UInt8(port % 10); port /= 10; count += 1 } while port > 0
            }
            withUnsafeBytes(of: &digits) { append(UnsafeRawBufferPointer(rebasing: $0[(5 - count)...])) }
        }
        append("\r\nUser-Agent: seal-get\r\nAccept: */*\r\nConnection: close\r\n\r\n")
    }
}
