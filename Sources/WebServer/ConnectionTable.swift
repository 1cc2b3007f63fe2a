/// State an HTTP handler keeps per connection (an upload in progress), indexed by `HTTPRequest.connection`.

/// One optional value per connection slot. An index outside the table reads as nil and takes
/// no writes, so a handler needs no bounds check of its own; values are changed in place, so
/// appending to an upload does not copy it.
public struct ConnectionTable<Value> {
    private var values: [Value?]

    /// A table for `connections` slots (`HTTPServerLimits.connections`), all empty.
    public init(connections: Int) {
        values = [Value?](repeating: nil, count: Swift.max(connections, 0))
    }

    public subscript(connection: Int) -> Value? {
        get { values.indices.contains(connection) ? values[connection] : nil }
        _modify {
            if values.indices.contains(connection) {
                yield &values[connection]
            } else {
                var ignored: Value? = nil
                yield &ignored
            }
        }
    }
}
