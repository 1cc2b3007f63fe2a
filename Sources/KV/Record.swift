/// Log records: building one (header, payload, CRC) and checking a header read back.
import Digest

/// Where a value's bytes lie in a region.
struct ValueLocation: Equatable {
    var offset: UInt64
    var length: UInt32
}

/// A record header as read from the log, with its structural checks done.
struct RecordHeader {
    var kind: RecordKind
    var payloadLength: Int
    var checksum: UInt32
    var epoch: UInt64
    var sequence: UInt64

    /// Checks magic, kind, reserved bytes and the payload bound; nil if any is wrong.
    init?(parsing bytes: [UInt8]) {
        var cursor = ByteCursor(bytes)
        guard let magic = cursor.integer(UInt32.self), magic == KeyValueFormat.recordMagic,
              let kindByte = cursor.integer(UInt8.self), let kind = RecordKind(rawValue: kindByte),
              let reserved = cursor.integer(UInt8.self), reserved == 0,
              let reservedWord = cursor.integer(UInt16.self), reservedWord == 0,
              let length = cursor.integer(UInt32.self), length <= UInt32(KeyValueLimits.maximumRecordPayload),
              let checksum = cursor.integer(UInt32.self),
              let epoch = cursor.integer(UInt64.self), let sequence = cursor.integer(UInt64.self) else { return nil }
        self.kind = kind
        self.payloadLength = Int(length)
        self.checksum = checksum
        self.epoch = epoch
        self.sequence = sequence
    }

    /// The CRC a record with this header and `payload` must carry.
    static func checksum(header: [UInt8], payload: [UInt8]) -> UInt32 {
        var zeroed = header
        zeroed[12] = 0
        zeroed[13] = 0
        zeroed[14] = 0
        zeroed[15] = 0
        var crc = CRC32()
        zeroed.withUnsafeBytes { crc.update($0) }
        payload.withUnsafeBytes { crc.update($0) }
        return crc.value
    }
}

/// The bytes of one whole record.
func encodeRecord(kind: RecordKind, epoch: UInt64, sequence: UInt64, payload: [UInt8]) -> [UInt8] {
    var record: [UInt8] = []
    record.reserveCapacity(KeyValueFormat.recordHeaderLength + payload.count)
    record.appendLittleEndian(KeyValueFormat.recordMagic)
    record.append(kind.rawValue)
    record += [0, 0, 0]
    record.appendLittleEndian(UInt32(payload.count))
    record.appendLittleEndian(UInt32(0))
    record.appendLittleEndian(epoch)
    record.appendLittleEndian(sequence)
    record.storeLittleEndian(RecordHeader.checksum(header: record, payload: payload), at: 12)
    record += payload
    return record
}

/// The payload of a snapshot or delete-snapshot record.
func encodeName(_ name: [UInt8]) -> [UInt8] {
    [UInt8(truncatingIfNeeded: name.count)] + name
}

/// Parses a snapshot name payload; nil unless it is exactly a valid name.
func parseName(_ payload: [UInt8]) -> [UInt8]? {
    var cursor = ByteCursor(payload)
    guard let length = cursor.integer(UInt8.self), length > 0, let name = cursor.take(Int(length)),
          cursor.remaining == 0 else { return nil }
    return name
}
