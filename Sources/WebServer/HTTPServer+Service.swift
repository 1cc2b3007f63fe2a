/// Moving one connection's bytes: TCP → HTTP requests, HTTP responses and streams → TCP.

import Capabilities
import HTTP
import Network

extension HTTPServer {
    /// Rounds of moving bytes per connection per poll; when a connection still has work after
    /// them, the poll asks to run again at once instead of starving the others.
    static var roundsPerPoll: Int { 32 }

    /// Serves slot `index`: deadlines, then bytes in both directions until nothing moves.
    func service(_ index: Int, stack: inout NetworkStack<Interface, Random>, now: Instant) {
        guard let handle = slots[index].handle else { return }
        if stack.state(of: handle) == .closed {
            // Reset by the peer, or timed out in TCP: nothing more can be sent.
            finish(index, handle, stack: &stack, abort: true)
            return
        }
        guard checkDeadlines(index, handle, stack: &stack, now: now) else { return }
        var rounds = Self.roundsPerPoll
        while rounds > 0 {
            rounds -= 1
            var moved = false
            switch flushOutput(index, handle, stack: &stack, now: now) {
            case .failed: return
            case .sent: moved = true
            case .nothing: break
            }
            if !slots[index].hasPendingOutput {
                if slots[index].isSendingContent {
                    switch streamContent(index, handle, stack: &stack, now: now) {
                    case .failed: return
                    case .sent: moved = true
                    case .nothing: break
                    }
                } else if refillOutput(index, now: now) {
                    moved = true
                }
            }
            if readyToRead(index) && receive(index, handle, stack: &stack, now: now) { moved = true }
            if deliverPeerClosed(index, handle, stack: &stack) { moved = true }
            if !moved { break }
            if rounds == 0 { hasImmediateWork = true }
        }
        if slots[index].isDone {
            finish(index, handle, stack: &stack, abort: false)
        }
    }

    /// Acts on a passed send or HTTP deadline; false when the connection is gone.
    func checkDeadlines(_ index: Int, _ handle: TCPConnectionHandle, stack: inout NetworkStack<Interface, Random>,
                        now: Instant) -> Bool {
        guard let deadline = slots[index].deadline(sendTimeout: limits.http.sendTimeout), now >= deadline else {
            return true
        }
        if slots[index].isStreaming || slots[index].hasPendingOutput {
            // The client stopped taking its response: nothing graceful is possible.
            counters.connectionsTimedOut += 1
            finish(index, handle, stack: &stack, abort: true)
            return false
        }
        let hadOutput = slots[index].connection.hasOutput
        slots[index].connection.expire(now: now.nanoseconds)
        if hadOutput && slots[index].connection.state == .closed {
            counters.connectionsTimedOut += 1
            finish(index, handle, stack: &stack, abort: true)
            return false
        }
        // Idle: closed, closed gracefully below. Slow request: a 408 is queued.
        return true
    }

    enum FlushResult { case nothing, sent, failed }

    /// Hands staged output to TCP; keeps what it does not take.
    func flushOutput(_ index: Int, _ handle: TCPConnectionHandle, stack: inout NetworkStack<Interface, Random>,
                     now: Instant) -> FlushResult {
        guard slots[index].hasPendingOutput else { return .nothing }
        let sent: Int
        do {
            sent = try stack.send(slots[index].pendingOutput, on: handle)
        } catch {
            finish(index, handle, stack: &stack, abort: true)
            return .failed
        }
        guard sent > 0 else { return .nothing }
        slots[index].outputStart += sent
        if slots[index].outputStart == slots[index].outputEnd {
            slots[index].outputStart = 0
            slots[index].outputEnd = 0
        }
        slots[index].lastSendProgress = now
        slots[index].lastProgress = now
        return .sent
    }

    /// Has the stream write its content straight into TCP's send buffer: no staging copy.
    /// Only called once the head went out through the staging buffer.
    func streamContent(_ index: Int, _ handle: TCPConnectionHandle, stack: inout NetworkStack<Interface, Random>,
                       now: Instant) -> FlushResult {
        let queued: Int?
        do {
            queued = try stack.send(on: handle) { space in slots[index].stream!.produce(into: space) }
        } catch {
            finish(index, handle, stack: &stack, abort: true)
            return .failed
        }
        guard let queued else {
            // The body source failed: the content cannot be completed, so the connection ends.
            slots[index].stream = nil
            drainStandIn(index, now: now)
            slots[index].connection.peerClosed()
            return .sent
        }
        if slots[index].stream!.isFinished { finishStream(index, now: now) }
        guard queued > 0 else { return .nothing }
        slots[index].lastSendProgress = now
        slots[index].lastProgress = now
        return .sent
    }

    /// A stream produced its last byte: the HTTP connection may take the next request.
    func finishStream(_ index: Int, now: Instant) {
        slots[index].stream = nil
        counters.streamsCompleted += 1
        drainStandIn(index, now: now)
        slots[index].lastProgress = now
    }

    /// Stages the next response bytes, from the stream or the HTTP connection. Only called
    /// with the output buffer empty.
    func refillOutput(_ index: Int, now: Instant) -> Bool {
        let space = slots[index].output
        var count = 0
        if slots[index].stream != nil {
            guard let produced = slots[index].stream!.produce(into: space) else {
                // A head longer than the send buffer, or content that could not be read:
                // send no more, close.
                slots[index].stream = nil
                drainStandIn(index, now: now)
                slots[index].connection.peerClosed()
                return true
            }
            count = produced
            if slots[index].stream!.isFinished { finishStream(index, now: now) }
        } else if slots[index].connection.hasOutput {
            count = slots[index].connection.send(into: space, now: now.nanoseconds)
            if !slots[index].connection.hasOutput { slots[index].lastProgress = now }
        }
        guard count > 0 else { return false }
        slots[index].outputEnd = count
        slots[index].lastSendProgress = now
        return true
    }

    /// Drops the stand-in response the HTTP connection holds for a finished stream, which
    /// returns it to reading requests (or to `.closed` when the response ended the
    /// connection). A 100 (Continue) queued before it goes too: RFC 9110 §10.1.1 lets a
    /// server omit it once the content has arrived, which it has.
    func drainStandIn(_ index: Int, now: Instant) {
        while slots[index].connection.hasOutput {
            if slots[index].connection.send(into: discard, now: now.nanoseconds) == 0 { break }
        }
    }

    /// Whether the HTTP connection may take requests: nothing of the previous response is
    /// left anywhere, so answers to pipelined requests leave in order.
    func readyToRead(_ index: Int) -> Bool {
        !slots[index].hasPendingOutput && !slots[index].isStreaming && !slots[index].connection.hasOutput
            && slots[index].connection.state != .closed
    }

    /// Reads from TCP and offers everything held to the HTTP connection. True if bytes moved.
    func receive(_ index: Int, _ handle: TCPConnectionHandle, stack: inout NetworkStack<Interface, Random>,
                 now: Instant) -> Bool {
        let space = slots[index].inputSpace()
        let read = space.count > 0 ? stack.receive(into: space, from: handle) : 0
        slots[index].inputEnd += read
        if read > 0 {
            slots[index].receivedSinceProgress += read
            if slots[index].receivedSinceProgress >= limits.progressByteCount {
                slots[index].receivedSinceProgress = 0
                slots[index].lastProgress = now
            }
        }
        guard slots[index].inputEnd > slots[index].inputStart else { return read > 0 }
        let used = slots[index].connection.receive(slots[index].pendingInput, now: now.nanoseconds,
                                                   handler: &dispatch)
        slots[index].inputStart += used
        if slots[index].inputStart == slots[index].inputEnd {
            slots[index].inputStart = 0
            slots[index].inputEnd = 0
        }
        if let stream = dispatch.started {
            dispatch.started = nil
            slots[index].stream = stream
        }
        return read > 0 || used > 0
    }

    /// Tells the HTTP connection the client finished sending, once every byte it sent has
    /// been taken and no response is being produced. True if that changed anything.
    func deliverPeerClosed(_ index: Int, _ handle: TCPConnectionHandle,
                           stack: inout NetworkStack<Interface, Random>) -> Bool {
        guard !slots[index].peerClosedDelivered, !slots[index].isStreaming,
              slots[index].inputStart == slots[index].inputEnd, slots[index].connection.state != .closed,
              stack.hasReceivedEnd(handle) else { return false }
        slots[index].peerClosedDelivered = true
        slots[index].connection.peerClosed()
        return true
    }

    /// Closes (FIN after what is queued, RFC 9293 §3.10.4) or resets the connection and frees its slot.
    func finish(_ index: Int, _ handle: TCPConnectionHandle, stack: inout NetworkStack<Interface, Random>,
                abort: Bool) {
        if abort { stack.abort(handle) } else { stack.close(handle) }
        if !abort { counters.connectionsClosed += 1 }
        release(index)
    }
}
