/// The payload of a batch record: puts, deletes and links applied in order, all or none.

/// One change a batch makes: the key gets the value at `value`, or is deleted when it is nil.
struct BatchChange {
    var key: [UInt8]
    var value: ValueLocation?
}

/// Builds a batch payload and remembers where in it each put's value lands.
struct BatchEncoder {
    /// One entry as written: a put's value is known by its offset in the payload until the
    /// record's place in the region is known.
    private enum Entry {
        case put(key: [UInt8], payloadOffset: Int, length: UInt32)
        case delete(key: [UInt8])
        case link(key: [UInt8], location: ValueLocation)
    }

    private(set) var payload: [UInt8] = [0, 0, 0, 0]
    private(set) var count: UInt32 = 0
    private var entries: [Entry] = []

    init() {}

    mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        begin(.put, key)
        payload.appendLittleEndian(UInt32(value.count))
        entries.append(.put(key: key, payloadOffset: payload.count, length: UInt32(value.count)))
        payload += value
    }

    mutating func delete(_ key: [UInt8]) {
        begin(.delete, key)
        entries.append(.delete(key: key))
    }

    /// A put whose value is already in the region at `location` (compaction).
    mutating func link(_ key: [UInt8], to location: ValueLocation) {
        begin(.link, key)
        payload.appendLittleEndian(location.length)
        payload.appendLittleEndian(location.offset)
        entries.append(.link(key: key, location: location))
    }

    private mutating func begin(_ operation: BatchOperation, _ key: [UInt8]) {
        count += 1
        payload.storeLittleEndian(count, at: 0)
        payload.append(operation.rawValue)
        payload.append(UInt8(truncatingIfNeeded: key.count))
        payload += key
    }

    /// The changes this batch makes once its payload is placed at region offset `payloadStart`.
    func changes(payloadStart: UInt64) -> [BatchChange] {
        var result: [BatchChange] = []
        result.reserveCapacity(entries.count)
        for entry in entries {
            switch entry {
            case .put(let key, let payloadOffset, let length):
                let location = ValueLocation(offset: payloadStart + UInt64(payloadOffset), length: length)
                result.append(BatchChange(key: key, value: location))
            case .delete(let key):
                result.append(BatchChange(key: key, value: nil))
            case .link(let key, let location):
                result.append(BatchChange(key: key, value: location))
            }
        }
        return result
    }
}

/// Parses a batch payload placed at region offset `payloadStart`; links must point inside
/// `0..<recordEnd`. Nil if the payload is not exactly a well-formed batch.
func parseBatch(_ payload: [UInt8], payloadStart: UInt64, recordEnd: UInt64) -> [BatchChange]? {
    var cursor = ByteCursor(payload)
    guard let count = cursor.integer(UInt32.self), count > 0 else { return nil }
    var changes: [BatchChange] = []
    // Every entry takes at least three bytes, so `count` is bounded by the payload.
    guard UInt64(count) <= UInt64(payload.count / 3) else { return nil }
    changes.reserveCapacity(Int(count))
    for _ in 0..<count {
        guard let operationByte = cursor.integer(UInt8.self), let operation = BatchOperation(rawValue: operationByte),
              let keyLength = cursor.integer(UInt8.self), keyLength > 0,
              let key = cursor.take(Int(keyLength)) else { return nil }
        switch operation {
        case .put:
            guard let length = cursor.integer(UInt32.self), length <= UInt32(KeyValueLimits.maximumValueLength) else {
                return nil
            }
            let offset = payloadStart + UInt64(cursor.position)
            guard cursor.skip(Int(length)) else { return nil }
            changes.append(BatchChange(key: key, value: ValueLocation(offset: offset, length: length)))
        case .delete:
            changes.append(BatchChange(key: key, value: nil))
        case .link:
            guard let length = cursor.integer(UInt32.self), length <= UInt32(KeyValueLimits.maximumValueLength),
                  let offset = cursor.integer(UInt64.self),
                  offset <= recordEnd, UInt64(length) <= recordEnd - offset else { return nil }
            changes.append(BatchChange(key: key, value: ValueLocation(offset: offset, length: length)))
        }
    }
    guard cursor.remaining == 0 else { return nil }
    return changes
}
