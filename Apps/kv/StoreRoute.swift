/// The resource a `kv` request names, from its decoded path and query.
import HTTP

enum StoreRoute: Equatable {
    /// `/kv/<key>`
    case key([UInt8])
    /// `/kv/` (with `?prefix=`): the keys.
    case keys(prefix: [UInt8])
    /// `/sync`
    case sync
    /// `/snapshot/` : the snapshot names.
    case snapshots
    /// `/snapshot/<name>`
    case snapshot([UInt8])
    /// `/snapshot/<name>/<key>`
    case snapshotKey([UInt8], [UInt8])
    /// `/snapshot/<name>/` (with `?prefix=`): the keys as of the snapshot.
    case snapshotKeys([UInt8], prefix: [UInt8])

    /// The route of `request`, or nil when its path is not one of these or is malformed.
    init?(_ request: HTTPRequest) {
        guard let path = PercentEncoding.decode(request.path) else { return nil }
        var prefix: [UInt8] = []
        if let query = request.query {
            guard let value = PercentEncoding.queryValue("prefix", in: query) ?? (query.isEmpty ? [] : nil) else {
                return nil
            }
            prefix = value
        }
        if let key = StoreRoute.after("/kv/", in: path) {
            self = key.isEmpty ? .keys(prefix: prefix) : .key(key)
        } else if StoreRoute.after("/sync", in: path) == [] {
            self = .sync
        } else if let rest = StoreRoute.after("/snapshot/", in: path) {
            guard !rest.isEmpty else {
                self = .snapshots
                return
            }
            guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else {
                self = .snapshot(rest)
                return
            }
            let name = Array(rest[..<slash])
            let key = Array(rest[(slash + 1)...])
            self = key.isEmpty ? .snapshotKeys(name, prefix: prefix) : .snapshotKey(name, key)
        } else {
            return nil
        }
    }

    /// What follows `prefix` in `path`, or nil when `path` does not start with it.
    private static func after(_ prefix: StaticString, in path: [UInt8]) -> [UInt8]? {
        let count = prefix.utf8CodeUnitCount
        guard path.count >= count else { return nil }
        for index in 0..<count where path[index] != prefix.utf8Start[index] { return nil }
        return Array(path[count...])
    }
}
