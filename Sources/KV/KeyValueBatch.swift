/// A batch of puts and deletes that the store applies all or nothing, also across a crash.

public struct KeyValueBatch {
    public enum Operation: Equatable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])
    }

    /// The operations, applied in this order (a later one on the same key wins).
    public private(set) var operations: [Operation] = []

    public init() {}

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) { operations.append(.put(key: key, value: value)) }

    public mutating func delete(_ key: [UInt8]) { operations.append(.delete(key: key)) }

    public var isEmpty: Bool { operations.isEmpty }
}
