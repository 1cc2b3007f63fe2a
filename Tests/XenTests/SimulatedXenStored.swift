// xenstored simulated over a shared xenstore_domain_interface page: a tree of nodes, watches, transactions, and ways to lie.
import XenABI
@testable import Xen

final class SimulatedXenStored {
    let page = SharedPage()
    var nodes: [[UInt8]: [UInt8]] = [:]
    var watches: [(path: [UInt8], token: [UInt8])] = []
    var nextTransaction: UInt32 = 41
    /// Bytes waiting to be put in the response ring.
    var outbox: [UInt8] = []
    /// Bytes of requests taken from the request ring, not yet a whole message.
    var inbox: [UInt8] = []
    var received: [XenStoreMessageHeader] = []

    static let requestConsumer = Int(seal_xen_offset_xenstore_req_cons())
    static let requestProducer = Int(seal_xen_offset_xenstore_req_prod())
    static let responseConsumer = Int(seal_xen_offset_xenstore_rsp_cons())
    static let responseProducer = Int(seal_xen_offset_xenstore_rsp_prod())

    var interface: UnsafeMutableRawPointer { page.bytes }

    /// Takes requests, answers them, and fills the response ring as far as it has room.
    func step() {
        var consumer = page.load32(Self.requestConsumer)
        let producer = page.load32(Self.requestProducer)
        while consumer != producer {
            inbox.append(page.bytes.load(fromByteOffset: Int(consumer & 1023), as: UInt8.self))
            consumer &+= 1
        }
        page.store32(Self.requestConsumer, consumer)
        while inbox.count >= 16 {
            let header = try! XenStoreMessageHeader(parsing: inbox[...])
            guard inbox.count >= 16 + Int(header.length) else { break }
            let payload = Array(inbox[16..<16 + Int(header.length)])
            inbox.removeFirst(16 + Int(header.length))
            received.append(header)
            answer(header, payload)
        }
        pump()
    }

    /// Moves outbox bytes into the response ring while it has room.
    func pump() {
        var producer = page.load32(Self.responseProducer)
        let consumer = page.load32(Self.responseConsumer)
        while !outbox.isEmpty && producer &- consumer < 1024 {
            page.bytes.storeBytes(of: outbox.removeFirst(), toByteOffset: 1024 + Int(producer & 1023), as: UInt8.self)
            producer &+= 1
        }
        page.store32(Self.responseProducer, producer)
    }

    func send(type: UInt32, requestID: UInt32, transaction: UInt32 = 0, payload: [UInt8]) {
        XenStoreMessageHeader(type: type, requestID: requestID, transactionID: transaction,
                              length: UInt32(payload.count)).emit(into: &outbox)
        outbox += payload
    }

    func fireWatches(for path: [UInt8]) {
        for watch in watches where path.starts(with: watch.path) {
            send(type: XS_WATCH_EVENT.rawValue, requestID: 0, payload: path + [0] + watch.token + [0])
        }
    }

    private func answer(_ header: XenStoreMessageHeader, _ payload: [UInt8]) {
        let fields = payload.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
        func reply(_ bytes: [UInt8]) {
            send(type: header.type, requestID: header.requestID, transaction: header.transactionID, payload: bytes)
        }
        func error(_ name: String) {
            send(type: XS_ERROR.rawValue, requestID: header.requestID, transaction: header.transactionID,
                 payload: Array(name.utf8) + [0])
        }
        let ok: [UInt8] = Array("OK".utf8) + [0]
        switch header.type {
        case XS_READ.rawValue:
            if let value = nodes[fields[0]] { reply(value) } else { error("ENOENT") }
        case XS_WRITE.rawValue:
            let path = fields[0]
            nodes[path] = Array(payload[(path.count + 1)...])
            reply(ok)
            fireWatches(for: path)
        case XS_MKDIR.rawValue:
            if nodes[fields[0]] == nil { nodes[fields[0]] = [] }
            reply(ok)
        case XS_RM.rawValue:
            if nodes.removeValue(forKey: fields[0]) == nil { error("ENOENT") } else { reply(ok) }
        case XS_DIRECTORY.rawValue:
            let prefix = fields[0] + Array("/".utf8)
            let children = Set(nodes.keys.filter { $0.starts(with: prefix) }.map {
                Array($0[prefix.count...].split(separator: UInt8(ascii: "/"))[0])
            })
            reply(children.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 + [0] })
        case XS_WATCH.rawValue:
            watches.append((fields[0], fields[1]))
            reply(ok)
            // xenstored fires a new watch once at once.
            send(type: XS_WATCH_EVENT.rawValue, requestID: 0, payload: fields[0] + [0] + fields[1] + [0])
        case XS_UNWATCH.rawValue:
            watches.removeAll { $0.path == fields[0] && $0.token == fields[1] }
            reply(ok)
        case XS_TRANSACTION_START.rawValue:
            nextTransaction += 1
            reply(Array(String(nextTransaction).utf8) + [0])
        case XS_TRANSACTION_END.rawValue:
            if header.transactionID == 0 { error("EINVAL") } else { reply(ok) }
        case XS_GET_DOMAIN_PATH.rawValue:
            reply(Array("/local/domain/".utf8) + fields[0] + [0])
        default:
            error("ENOSYS")
        }
    }
}
