/// The fuzzer's bytes as a stream both the simulated backend and the driver draw from; once exhausted every read gives zero.
final class FuzzInput {
    let data: UnsafePointer<UInt8>
    let size: Int
    private(set) var position = 0

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        self.data = data
        self.size = size
    }

    var isExhausted: Bool { position >= size }

    func byte() -> UInt8 {
        guard position < size else { return 0 }
        defer { position += 1 }
        return data[position]
    }

    /// Little-endian.
    func word16() -> UInt16 { UInt16(byte()) | UInt16(byte()) << 8 }
    func word32() -> UInt32 { UInt32(word16()) | UInt32(word16()) << 16 }
    func word64() -> UInt64 { UInt64(word32()) | UInt64(word32()) << 32 }

    /// Up to `limit` bytes, the count taken from the next byte.
    func bytes(limit: Int) -> [UInt8] {
        let count = Int(byte()) % (limit + 1)
        var result: [UInt8] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(byte()) }
        return result
    }
}
