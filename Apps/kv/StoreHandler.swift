/// `kv`'s requests: values read, written and deleted by key, listings by prefix, sync, and snapshots.
import Capabilities
import HTTP
import KV
import Network
import WebServer

struct StoreHandler<Disk: BlockDevice>: HTTPStreamingHandler {
    let store: KeyValueStore<Disk>
    /// PUT content being received, indexed by `HTTPRequest.connection`.
    var uploads: ConnectionTable<[UInt8]>

    static var serverLimits: HTTPServerLimits {
        var limits = HTTPServerLimits()
        limits.connections = 8
        limits.http.maximumBodyLength = 4096
        limits.http.maximumStreamedBodyLength = KeyValueLimits.maximumValueLength
        return limits
    }

    static func networkLimits(memoryBudget: Int) -> NetworkLimits {
        var limits = NetworkLimits(memoryBudget: memoryBudget, tcpConnections: 2 * serverLimits.connections)
        limits.tcpBacklog = 8
        return limits
    }

    init(store: KeyValueStore<Disk>, connections: Int) {
        self.store = store
        uploads = ConnectionTable(connections: connections)
    }

    // MARK: Reads, streamed

    mutating func streamedResponse(to request: HTTPRequest) -> HTTPStreamedResponse<ValueBody>? {
        guard request.method == .get || request.method == .head, let route = StoreRoute(request) else { return nil }
        switch route {
        case .key(let key):
            return valueResponse(try? store.get(key))
        case .snapshotKey(let name, let key):
            return valueResponse(try? store.get(key, snapshot: name))
        case .keys(let prefix):
            return listing(store.list(prefix: prefix))
        case .snapshotKeys(let name, let prefix):
            guard let keys = try? store.list(prefix: prefix, snapshot: name) else { return nil }
            return listing(keys)
        case .snapshots:
            return listing(store.snapshotNames)
        case .sync, .snapshot:
            return nil
        }
    }

    func valueResponse(_ bytes: [UInt8]??) -> HTTPStreamedResponse<ValueBody>? {
        guard let found = bytes, let bytes = found else { return nil }
        return HTTPStreamedResponse(contentType: "application/octet-stream", contentLength: bytes.count,
                                    body: ValueBody(bytes: bytes))
    }

    /// One name per line, percent-encoded (keys are arbitrary bytes), in byte order.
    func listing(_ names: [[UInt8]]) -> HTTPStreamedResponse<ValueBody> {
        var text: [UInt8] = []
        for name in names {
            PercentEncoding.encode(name, keepingSlashes: true, into: &text)
            text.append(10)
        }
        return HTTPStreamedResponse(contentType: "text/plain; charset=utf-8", contentLength: text.count,
                                    body: ValueBody(bytes: text))
    }

    // MARK: PUT content

    mutating func contentHandling(for request: HTTPRequest) -> HTTPContentHandling {
        uploads[request.connection] = nil
        guard request.method == .put, case .key? = StoreRoute(request) else { return .discard }
        if let length = request.contentLength, length > KeyValueLimits.maximumValueLength {
            return .reject(.contentTooLarge)
        }
        uploads[request.connection] = []
        return .stream
    }

    mutating func receiveContent(_ bytes: UnsafeRawBufferPointer, connection: Int) {
        uploads[connection]?.append(contentsOf: bytes)
    }

    mutating func connectionEnded(_ connection: Int) {
        uploads[connection] = nil
    }

    // MARK: Everything answered from a buffer

    mutating func respond(to request: HTTPRequest, with response: inout HTTPResponseWriter) {
        guard let route = StoreRoute(request) else { return response.respond(status: .notFound) }
        do throws(KeyValueError) {
            switch (request.method, route) {
            case (.get, _), (.head, _):
                // Streamed unless missing.
                if case .snapshotKey(let name, _) = route, !store.snapshotNames.contains(name) {
                    throw .snapshotNotFound
                }
                response.respond(status: .notFound)
            case (.put, .key(let key)):
                let value = uploads[request.connection] ?? Array(request.body)
                uploads[request.connection] = nil
                let existed = store.contains(key)
                try store.put(key, value)
                response.respond(status: existed ? .noContent : .created)
            case (.delete, .key(let key)):
                guard store.contains(key) else { return response.respond(status: .notFound) }
                try store.delete(key)
                response.respond(status: .noContent)
            case (.post, .sync):
                try store.sync()
                response.respond(status: .noContent)
            case (.post, .snapshot(let name)):
                try store.snapshot(name)
                response.respond(status: .created)
            case (.delete, .snapshot(let name)):
                try store.deleteSnapshot(name)
                response.respond(status: .noContent)
            default:
                methodNotAllowed(for: route, with: &response)
            }
        } catch {
            respond(to: error, with: &response)
        }
    }

    func respond(to error: KeyValueError, with response: inout HTTPResponseWriter) {
        switch error {
        case .invalidKey, .invalidSnapshotName, .invalidBatch:
            response.respond(status: .badRequest, contentType: "text/plain", body: "bad key or snapshot name\n")
        case .valueTooLong:
            response.respond(status: .contentTooLarge)
        case .snapshotExists:
            response.respond(status: .conflict, contentType: "text/plain", body: "a snapshot has that name\n")
        case .snapshotNotFound:
            response.respond(status: .notFound, contentType: "text/plain", body: "no such snapshot\n")
        case .full:
            response.respond(status: .insufficientStorage, contentType: "text/plain", body: "the store is full\n")
        default:
            response.respond(status: .internalServerError, contentType: "text/plain", body: "store or disk error\n")
        }
    }

    /// RFC 9110 §15.5.6: a 405 lists what the resource allows.
    func methodNotAllowed(for route: StoreRoute, with response: inout HTTPResponseWriter) {
        var allowed = HTTPMethodSet(.get)
        switch route {
        case .key:
            allowed.insert(.head)
            allowed.insert(.put)
            allowed.insert(.delete)
        case .sync:
            allowed = HTTPMethodSet(.post)
        case .snapshot:
            allowed = HTTPMethodSet(.post)
            allowed.insert(.delete)
        case .keys, .snapshots, .snapshotKey, .snapshotKeys:
            allowed.insert(.head)
        }
        response.respondMethodNotAllowed(allowing: allowed)
    }
}
