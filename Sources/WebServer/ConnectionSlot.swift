/// One of the server's connection slots: a TCP handle, its HTTP connection and staging buffers.

import Capabilities
import HTTP
import Network

/// A slot in the server's fixed pool. Its buffers live as long as the server; a slot is
/// free when `handle` is nil.
struct ConnectionSlot<Body: HTTPBodySource>: ~Copyable {
    var handle: TCPConnectionHandle? = nil
    /// The HTTP side. Replaced on every accept: `HTTPConnection` has no way to start over,
    /// so a fresh one (same sizes, so the allocator reuses the freed blocks) is made.
    var connection: HTTPConnection
    /// Bytes read from TCP that the HTTP connection has not taken: `input[inputStart..<inputEnd]`.
    let input: UnsafeMutableRawBufferPointer
    var inputStart = 0
    var inputEnd = 0
    /// Response bytes TCP has not taken yet: `output[outputStart..<outputEnd]`.
    let output: UnsafeMutableRawBufferPointer
    var outputStart = 0
    var outputEnd = 0
    /// A streamed response being sent; while it is, the HTTP connection holds its stand-in.
    var stream: ResponseStream<Body>? = nil
    /// Whether `peerClosed` was passed on.
    var peerClosedDelivered = false
    /// When the connection last made progress: accepted, sent bytes, finished a response, or
    /// received `progressByteCount` bytes. The slot with the oldest is evicted first.
    var lastProgress = Instant.zero
    /// Received bytes not yet counted as progress.
    var receivedSinceProgress = 0
    /// When TCP last took bytes of this slot's output, or output became pending.
    var lastSendProgress = Instant.zero

    init(limits: HTTPServerLimits) {
        connection = HTTPConnection(limits: limits.http, now: 0)
        input = .allocate(byteCount: limits.receiveBufferLength, alignment: 8)
        input.initializeMemory(as: UInt8.self, repeating: 0)
        output = .allocate(byteCount: limits.sendBufferLength, alignment: 8)
        output.initializeMemory(as: UInt8.self, repeating: 0)
    }


    // No deinit: Swift 6.3's Embedded mode rejects specialising, in another module, code
    // that destroys an internal noncopyable type with a deinit ("deinit of non-copyable type
    // not visible in the current module", swiftlang/swift#87303). The server frees the
    // buffers instead.
    func deallocateBuffers() {
        input.deallocate()
        output.deallocate()
    }

    var isFree: Bool { handle == nil }
    var hasPendingOutput: Bool { outputEnd > outputStart }
    var isStreaming: Bool { stream != nil }
    /// Whether a stream's head has gone and its content can be written straight to TCP.
    var isSendingContent: Bool { stream?.headWritten ?? false }
    /// Whether the HTTP side has finished and every byte of it has gone to TCP.
    var isDone: Bool { connection.state == .closed && !isStreaming && !hasPendingOutput }

    /// Takes a newly accepted connection.
    mutating func open(_ newHandle: TCPConnectionHandle, identifier: Int, limits: HTTPLimits, now: Instant) {
        handle = newHandle
        connection = HTTPConnection(limits: limits, now: now.nanoseconds)
        connection.identifier = identifier
        inputStart = 0
        inputEnd = 0
        outputStart = 0
        outputEnd = 0
        stream = nil
        peerClosedDelivered = false
        lastProgress = now
        receivedSinceProgress = 0
        lastSendProgress = now
    }

    /// Forgets the connection; the caller has closed or aborted the handle.
    mutating func release() {
        handle = nil
        stream = nil
        inputStart = 0
        inputEnd = 0
        outputStart = 0
        outputEnd = 0
    }

    /// The free space after the received bytes, moving them to the front first.
    mutating func inputSpace() -> UnsafeMutableRawBufferPointer {
        if inputStart > 0 {
            let count = inputEnd - inputStart
            if count > 0, let base = input.baseAddress {
                base.copyMemory(from: base + inputStart, byteCount: count)
            }
            inputStart = 0
            inputEnd = count
        }
        return UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...])
    }

    /// The received bytes not yet taken.
    var pendingInput: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(input)[inputStart..<inputEnd])
    }

    /// The staged response bytes not yet taken by TCP.
    var pendingOutput: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(output)[outputStart..<outputEnd])
    }

    /// When this slot needs attention without any network event: a send stall, or the HTTP
    /// connection's own deadline (idle, slow request, slow reader).
    func deadline(sendTimeout: UInt64) -> Instant? {
        if isStreaming || hasPendingOutput {
            return lastSendProgress.advanced(by: Duration(nanoseconds: sendTimeout))
        }
        return connection.deadline.map { Instant(nanoseconds: $0) }
    }
}
