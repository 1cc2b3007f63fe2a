/// A poll-driven xenstore client over the shared page: `submit` queues a request, `poll` moves bytes, `reply(for:)` collects.
///
/// Protocol (docs/misc/xenstore.txt, io/xs_wire.h): each message is a 16-byte `xsd_sockmsg` header and
/// `len` payload bytes, streamed through the 1 KiB rings, so one message may span several polls and
/// wrap around the ring's end. Replies carry the request's `req_id` and `tx_id`; `XS_WATCH_EVENT`s
/// arrive at any time. Checked: ring indices, `len <= XENSTORE_PAYLOAD_MAX`, the type (`XS_ERROR`,
/// `XS_WATCH_EVENT` or the request's own), the `req_id` (an outstanding request) and `tx_id`, and each
/// payload's form. Any violation breaks the client (`failure`, thrown by every later call).
///
/// Bounded: at most `maximumOutstanding` requests (their bytes and replies), one message being
/// received (16 + 4096 bytes) and `maximumWatchEvents` queued events (later ones are counted in
/// `droppedWatchEvents`: the owner re-reads what it watches).
import XenABI

public final class XenStoreClient {
    private enum Outcome {
        case waiting
        case replied(XenStoreReply)
        case failed(XenStoreErrorCode)
    }

    private struct Outstanding {
        let id: UInt32
        let type: UInt32
        let transaction: UInt32
        var outcome: Outcome
    }

    public let maximumOutstanding: Int
    public let maximumWatchEvents: Int
    private var rings: XenStoreRings
    private var outgoing: [UInt8] = []
    private var outgoingStart = 0
    private var incoming: [UInt8] = []
    private var incomingHeader: XenStoreMessageHeader?
    private var requests: [Outstanding] = []
    private var events: [XenStoreWatchEvent] = []
    private var lastID: UInt32 = 0
    /// Watch events not queued because the queue was full.
    public private(set) var droppedWatchEvents = 0
    /// The error that broke the connection, if one did.
    public private(set) var failure: XenError?

    /// A client of the `xenstore_domain_interface` page at `interface` (its page frame is HVM_PARAM_STORE_PFN).
    public init(interface: UnsafeMutableRawPointer, maximumOutstanding: Int = 16, maximumWatchEvents: Int = 32,
                barrier: @escaping () -> Void = XenMemory.fullBarrier) {
        rings = XenStoreRings(interface: interface, barrier: barrier)
        self.maximumOutstanding = max(1, maximumOutstanding)
        self.maximumWatchEvents = max(1, maximumWatchEvents)
        incoming.reserveCapacity(XenStoreMessageHeader.byteCount + XenStoreMessageHeader.payloadLimit)
    }

    /// Queues `request` (in transaction `transaction`, 0 for none) and returns its request id; `poll`
    /// sends it.
    public func submit(_ request: XenStoreRequest, transaction: UInt32 = 0) throws(XenError) -> UInt32 {
        if let failure { throw failure }
        guard requests.count < maximumOutstanding else { throw .tooManyRequests }
        let payload = try request.payload()
        let id = nextID()
        let header = XenStoreMessageHeader(type: request.type, requestID: id, transactionID: transaction,
                                           length: UInt32(payload.count))
        if outgoingStart == outgoing.count {
            outgoing.removeAll(keepingCapacity: true)
            outgoingStart = 0
        }
        header.emit(into: &outgoing)
        outgoing += payload
        requests.append(Outstanding(id: id, type: request.type, transaction: transaction, outcome: .waiting))
        return id
    }

    /// Writes queued requests and reads replies and watch events, as far as the rings allow. Returns
    /// true when it moved bytes: then notify xenstored's event channel.
    public func poll() throws(XenError) -> Bool {
        if let failure { throw failure }
        do {
            return try exchange()
        } catch {
            failure = error
            throw error
        }
    }

    /// The reply to request `id`: nil while it is outstanding; throws `.xenStore(code)` for an
    /// `XS_ERROR` reply and `.unknownRequest` for an id not outstanding. A reply is handed out once.
    public func reply(for id: UInt32) throws(XenError) -> XenStoreReply? {
        if let failure { throw failure }
        guard let index = requests.firstIndex(where: { $0.id == id }) else { throw .unknownRequest(id) }
        switch requests[index].outcome {
        case .waiting:
            return nil
        case .replied(let reply):
            requests.remove(at: index)
            return reply
        case .failed(let code):
            requests.remove(at: index)
            throw .xenStore(code)
        }
    }

    /// The oldest queued watch event.
    public func nextWatchEvent() -> XenStoreWatchEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// Requests submitted whose replies have not been collected.
    public var outstandingCount: Int { requests.count }

    private func exchange() throws(XenError) -> Bool {
        var moved = false
        if outgoingStart < outgoing.count {
            let written = try rings.write(outgoing, from: outgoingStart)
            outgoingStart += written
            moved = moved || written > 0
            if outgoingStart == outgoing.count {
                outgoing.removeAll(keepingCapacity: true)
                outgoingStart = 0
            } else if outgoingStart >= XenStoreMessageHeader.payloadLimit {
                // Drop what was sent, so the buffer holds only unsent requests (bounded by maximumOutstanding).
                outgoing.removeFirst(outgoingStart)
                outgoingStart = 0
            }
        }
        // Each pass takes at least one byte of the at most 1024 available: bounded.
        var available = try rings.available()
        while available > 0 {
            let wanted: Int
            if let header = incomingHeader {
                wanted = XenStoreMessageHeader.byteCount + Int(header.length) - incoming.count
            } else {
                wanted = XenStoreMessageHeader.byteCount - incoming.count
            }
            let before = incoming.count
            rings.read(into: &incoming, limit: wanted, available: available)
            available -= UInt32(incoming.count - before)
            moved = true
            if incomingHeader == nil && incoming.count == XenStoreMessageHeader.byteCount {
                let header = try XenStoreMessageHeader(parsing: incoming[...])
                try checkType(header.type)
                incomingHeader = header
            }
            if let header = incomingHeader, incoming.count == XenStoreMessageHeader.byteCount + Int(header.length) {
                try deliver(header, payload: incoming[XenStoreMessageHeader.byteCount...])
                incoming.removeAll(keepingCapacity: true)
                incomingHeader = nil
            }
        }
        return moved
    }

    /// xenstored sends only replies of the types we request, errors and watch events.
    private func checkType(_ type: UInt32) throws(XenError) {
        if type == XS_ERROR.rawValue || type == XS_WATCH_EVENT.rawValue { return }
        for request in requests where request.type == type { return }
        throw .unknownMessageType(type)
    }

    private func deliver(_ header: XenStoreMessageHeader, payload: ArraySlice<UInt8>) throws(XenError) {
        if header.type == XS_WATCH_EVENT.rawValue {
            let event = try XenStoreWatchEvent(payload: payload)
            if events.count < maximumWatchEvents {
                events.append(event)
            } else {
                droppedWatchEvents += 1
            }
            return
        }
        guard let index = requests.firstIndex(where: { $0.id == header.requestID }),
              case .waiting = requests[index].outcome else {
            throw .unexpectedReply(requestID: header.requestID)
        }
        let request = requests[index]
        guard header.transactionID == request.transaction else { throw .replyMismatch(requestID: header.requestID) }
        if header.type == XS_ERROR.rawValue {
            requests[index].outcome = .failed(XenStoreErrorCode(payload: payload))
        } else if header.type == request.type {
            requests[index].outcome = .replied(try XenStoreReply(type: header.type, payload: payload))
        } else {
            throw .replyMismatch(requestID: header.requestID)
        }
    }

    /// The next id that is neither 0 (what xenstored uses for watch events) nor outstanding.
    private func nextID() -> UInt32 {
        // At most maximumOutstanding ids are taken, so this ends within maximumOutstanding + 2 steps.
        while true {
            lastID &+= 1
            if lastID != 0 && !requests.contains(where: { $0.id == lastID }) { return lastID }
        }
    }
}
