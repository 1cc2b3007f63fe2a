// virtio-blk's request encoding, configuration space and queue against a simulated disk, a hostile device and a silent one.
import Capabilities
import Testing
@testable import Virtio

@Suite struct BlockEncodingTests {
    @Test func headerBytesAreLittleEndianWithAZeroReservedWord() {
        var bytes = [UInt8](repeating: 0xaa, count: 16)
        bytes.withUnsafeMutableBytes { BlockRequestHeader(type: .write, sector: 0x0102_0304_0506_0708).emit(into: $0) }
        #expect(bytes == [1, 0, 0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
        let parsed = bytes.withUnsafeBytes { BlockRequestHeader(parsing: $0) }
        #expect(parsed == BlockRequestHeader(type: .write, sector: 0x0102_0304_0506_0708))
        #expect([UInt8](repeating: 0, count: 15).withUnsafeBytes { BlockRequestHeader(parsing: $0) } == nil)
        #expect(BlockRequestType.getIdentifier.rawValue == 8 && BlockRequestType.flush.rawValue == 4)
    }

    @Test func featureBitsMatchTheSpecification() {
        #expect(VirtioFeatures.blockMaximumSegmentSize.rawValue == 1 << 1)
        #expect(VirtioFeatures.blockMaximumSegments.rawValue == 1 << 2)
        #expect(VirtioFeatures.blockReadOnly.rawValue == 1 << 5)
        #expect(VirtioFeatures.blockSize.rawValue == 1 << 6)
        #expect(VirtioFeatures.blockFlush.rawValue == 1 << 9)
    }

    /// capacity 0x1_0000_0010 sectors, size_max 0x3000, seg_max 126, geometry, blk_size 4096.
    static let configuration: [UInt8] = [0x10, 0, 0, 0, 1, 0, 0, 0, 0x00, 0x30, 0, 0, 126, 0, 0, 0,
                                         0x10, 0x00, 0x3f, 0x00, 0x00, 0x10, 0, 0]

    @Test func configurationFieldsCountOnlyWithTheirFeatures() {
        let all: VirtioFeatures = .blockSize | .blockMaximumSegmentSize | .blockMaximumSegments
        let full = Self.configuration.withUnsafeBytes { BlockConfiguration(parsing: $0, features: all) }
        #expect(full == BlockConfiguration(capacity: 0x1_0000_0010, maximumSegmentSize: 0x3000, maximumSegments: 126,
                                           blockSize: 4096))
        #expect(full?.sectorSize == 4096)
        #expect(full?.sectorCount == 0x1_0000_0010 / 8)
        #expect(full?.transferLimit(preferred: 65536) == 0x3000)
        let bare = Self.configuration.withUnsafeBytes { BlockConfiguration(parsing: $0, features: .version1) }
        #expect(bare == BlockConfiguration(capacity: 0x1_0000_0010))
        #expect(bare?.sectorSize == 512)
        #expect(bare?.transferLimit(preferred: 65536) == 65536)
        #expect(Self.configuration.dropLast().withUnsafeBytes { BlockConfiguration(parsing: $0, features: all) } == nil)
    }

    @Test func oddBlockSizesAndSegmentLimitsFallBackSafely() {
        for size: UInt32 in [0, 1, 520, 8192, 0xffff_ffff] {
            #expect(BlockConfiguration(capacity: 100, blockSize: size).sectorSize == 512)
        }
        #expect(BlockConfiguration(capacity: 100, blockSize: 1024).sectorCount == 50)
        #expect(BlockConfiguration(capacity: 7, blockSize: 4096).sectorCount == 0)
        // A size_max below one sector still moves one sector; one not a sector multiple rounds down.
        #expect(BlockConfiguration(capacity: 100, maximumSegmentSize: 100, blockSize: 4096).transferLimit(preferred: 65536) == 4096)
        #expect(BlockConfiguration(capacity: 100, maximumSegmentSize: 1500).transferLimit(preferred: 65536) == 1024)
        #expect(BlockConfiguration(capacity: 100, maximumSegmentSize: 0xffff_ffff).transferLimit(preferred: 8192) == 8192)
    }
}

@Suite struct BlockQueueTests {
    /// Sectors read from the simulated disk, as the test sees them.
    func read(_ queue: inout BlockQueue<NoBarrier>, _ device: inout SimulatedBlockDevice, sector: UInt64,
              count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count * 512)
        try bytes.withUnsafeMutableBytes { buffer in
            try queue.read(sector: sector, into: buffer, waiter: &device)
        }
        return bytes
    }

    func write(_ queue: inout BlockQueue<NoBarrier>, _ device: inout SimulatedBlockDevice, sector: UInt64,
               _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            try queue.write(sector: sector, from: buffer, waiter: &device)
        }
    }

    /// The typed error `body` threw, or nil; any other error fails the test.
    func error(_ body: () throws -> Void) -> BlockError? {
        do {
            try body()
        } catch let error as BlockError {
            return error
        } catch {
            Issue.record("not a BlockError")
        }
        return nil
    }

    @Test func aReadIsHeaderDataStatusAndReturnsTheDisk() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 64)
        let bytes = try read(&queue, &device, sector: 3, count: 2)
        #expect(bytes == Array(device.disk[1536..<2560]))
        #expect(device.requests == [BlockRequestHeader(type: .read, sector: 3)])
        let chain = try #require(device.chains.first)
        #expect(chain.map(\.length) == [16, 1024, 1])
        #expect(chain.map(\.flags) == [1, 3, 2], "header readable, data and status writable, linked")
        #expect(device.notifications == 1)
        #expect(queue.queue.freeCount == 8 && queue.queue.chainsInFlight == 0)
        #expect(queue.counters.completed == 1 && queue.counters.protocolViolations == 0)
    }

    @Test func writesLandOnTheDiskAndReadBack() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 64)
        let pattern = (0..<1536).map { UInt8(truncatingIfNeeded: $0 ^ 0x5c) }
        try write(&queue, &device, sector: 10, pattern)
        #expect(Array(device.disk[5120..<6656]) == pattern)
        let chain = try #require(device.chains.first)
        #expect(chain.map(\.length) == [16, 1536, 1])
        #expect(chain.map(\.flags) == [1, 1, 2], "header and data readable, status writable")
        #expect(try read(&queue, &device, sector: 10, count: 3) == pattern)
    }

    @Test func largeTransfersSplitIntoRequestsWithinTheLimit() throws {
        var queue = makeBlockQueue(transferLimit: 4096)
        var device = SimulatedBlockDevice(queue, sectors: 128)
        let pattern = (0..<(20 * 512)).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }
        try write(&queue, &device, sector: 5, pattern)
        #expect(device.requests.map(\.sector) == [5, 13, 21])
        #expect(device.chains.map { $0[1].length } == [4096, 4096, 2048])
        #expect(try read(&queue, &device, sector: 5, count: 20) == pattern)
        #expect(device.requests.count == 6)
        // The limit is rounded down to 512-byte units, and is never below one.
        #expect(makeBlockQueue(transferLimit: 1000).transferLimit == 512)
        #expect(makeBlockQueue(transferLimit: 0).transferLimit == 512)
    }

    @Test func flushAndIdentifier() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 8)
        try queue.flush(waiter: &device)
        #expect(device.flushes == 1)
        let chain = try #require(device.chains.first)
        #expect(chain.map(\.length) == [16, 1], "a flush has no data descriptor")
        #expect(device.requests == [BlockRequestHeader(type: .flush, sector: 0)])
        let identifier = try queue.identifier(waiter: &device)
        #expect(identifier == Array("seal-disk-0".utf8) + [UInt8](repeating: 0, count: 9))
    }

    @Test func anIdentifierShorterThanTwentyBytesIsZeroPaddedNotStale() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 8)
        // A read leaves disk bytes in the queue's data buffer first.
        var sink = [UInt8](repeating: 0, count: 512)
        try sink.withUnsafeMutableBytes { try queue.read(sector: 1, into: $0, waiter: &device) }
        device.identifierWritesOnlyTheString = true
        device.identifier = Array("ab".utf8)
        #expect(try queue.identifier(waiter: &device) == [0x61, 0x62] + [UInt8](repeating: 0, count: 18))
        device.identifier = [UInt8](repeating: 0x41, count: 20)
        #expect(try queue.identifier(waiter: &device) == [UInt8](repeating: 0x41, count: 20))
    }

    @Test func deviceErrorsAreTypedAndLeaveTheQueueUsable() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 16)
        device.failingSectors = [4]
        #expect(error { _ = try read(&queue, &device, sector: 3, count: 2) } == .deviceError)
        #expect(!queue.isBroken)
        device.isReadOnly = true
        #expect(error { try write(&queue, &device, sector: 0, [UInt8](repeating: 1, count: 512)) } == .deviceError)
        device.supportsFlush = false
        #expect(error { try queue.flush(waiter: &device) } == .unsupported)
        #expect(try read(&queue, &device, sector: 0, count: 1) == Array(device.disk[0..<512]))
        #expect(queue.counters.deviceErrors == 2 && queue.counters.unsupported == 1 && queue.counters.completed == 1)
    }

    @Test func badShapesAreRejectedBeforeTheDeviceSeesThem() {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 8)
        #expect(error { _ = try read(&queue, &device, sector: 0, count: 0) } == .misaligned)
        #expect(error {
            try [UInt8](repeating: 0, count: 100).withUnsafeBytes { buffer in
                try queue.write(sector: 0, from: buffer, waiter: &device)
            }
        } == .misaligned)
        #expect(error { _ = try read(&queue, &device, sector: .max, count: 1) } == .outOfRange)
        #expect(device.requests.isEmpty)
    }

    /// Each fault on one read: a typed violation, the queue broken, and usable again after a reset.
    @Test(arguments: [BlockDeviceFault.identifier(5), .identifier(0xffff_ffff), .identifier(7), .length(2000),
                      .length(0), .length(1), .length(513), .status(3), .status(0xff), .statusUnwritten,
                      .usedIndexJump(1), .usedIndexJump(100)])
    func hostileCompletionsAreProtocolViolations(fault: BlockDeviceFault) throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 16)
        device.fault = fault
        #expect(error { _ = try read(&queue, &device, sector: 1, count: 2) } == .protocolViolation)
        #expect(queue.isBroken)
        #expect(queue.counters.protocolViolations == 1)
        // Broken: nothing more reaches the device until it was reset.
        let published = device.requests.count
        #expect(error { _ = try read(&queue, &device, sector: 1, count: 1) } == .protocolViolation)
        #expect(device.requests.count == published)
        try resetAndCheck(&queue, &device)
    }

    @Test func aShortLengthOnAFailedRequestIsAcceptedButNotAnEmptyOne() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 16)
        device.failingSectors = [1]
        device.fault = .length(1)
        #expect(error { _ = try read(&queue, &device, sector: 1, count: 2) } == .deviceError)
        #expect(!queue.isBroken)
        device.fault = .length(0)
        #expect(error { _ = try read(&queue, &device, sector: 1, count: 2) } == .protocolViolation)
    }

    @Test func aReplayedCompletionIsCaughtBeforeTheNextRequest() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 16)
        device.fault = .replay
        // Both entries arrive at once: more answers than requests.
        #expect(error { _ = try read(&queue, &device, sector: 0, count: 1) } == .protocolViolation)
        try resetAndCheck(&queue, &device)
        // A replay that arrives after the driver took the first answer: seen before the next request.
        _ = try read(&queue, &device, sector: 0, count: 1)
        // The chain's head was descriptor 0, which the next request would reuse.
        device.ring.use(identifier: 0, length: 513)
        let published = device.requests.count
        #expect(error { _ = try read(&queue, &device, sector: 0, count: 1) } == .protocolViolation)
        #expect(device.requests.count == published, "the chain's descriptors were never handed out again")
        try resetAndCheck(&queue, &device)
    }

    @Test func aSilentDeviceTimesOutAndTheQueueWaitsForAReset() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 16)
        device.fault = .silent
        #expect(error { try queue.flush(waiter: &device) } == .timeout)
        #expect(queue.isBroken && queue.counters.timeouts == 1)
        #expect(error { try queue.flush(waiter: &device) } == .protocolViolation)
        try resetAndCheck(&queue, &device)
    }

    @Test func anAnswerOnTheLastWaitStillCounts() throws {
        var queue = makeBlockQueue()
        var device = SimulatedBlockDevice(queue, sectors: 16)
        device.patience = 0
        #expect(try read(&queue, &device, sector: 2, count: 1) == Array(device.disk[1024..<1536]))
    }

    @Test func manyRequestsWrapTheRingIndices() throws {
        var queue = makeBlockQueue(size: 4, transferLimit: 512)
        var device = SimulatedBlockDevice(queue, sectors: 4)
        // 66,000 single-sector requests: the 16-bit indices and the tokens wrap.
        var sink = [UInt8](repeating: 0, count: 512)
        for round in 0..<66_000 {
            try sink.withUnsafeMutableBytes { buffer in
                try queue.read(sector: UInt64(round % 4), into: buffer, waiter: &device)
            }
        }
        #expect(sink == Array(device.disk[(65_999 % 4) * 512..<(65_999 % 4 + 1) * 512]))
        #expect(queue.counters.completed == 66_000 && !queue.isBroken)
    }

    /// Random lies from a seeded generator: every outcome is a value or a typed error, never a trap,
    /// and a reset always brings the queue back.
    @Test func randomLiesNeverTrap() throws {
        var queue = makeBlockQueue(size: 8, transferLimit: 1024)
        var device = SimulatedBlockDevice(queue, sectors: 32)
        var seed: UInt64 = 0x5eed
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 33
        }
        var outcomes: [BlockError?] = []
        for _ in 0..<2000 {
            switch next() % 10 {
            case 0: device.fault = .identifier(UInt32(truncatingIfNeeded: next() % 12))
            case 1: device.fault = .length(UInt32(truncatingIfNeeded: next() % 2100))
            case 2: device.fault = .status(UInt8(truncatingIfNeeded: next()))
            case 3: device.fault = .usedIndexJump(UInt16(truncatingIfNeeded: next()))
            case 4: device.fault = .replay
            case 5: device.fault = .silent
            default: device.fault = nil
            }
            let sector = next() % 40
            let count = Int(next() % 3)
            let outcome = error {
                switch next() % 3 {
                case 0: _ = try read(&queue, &device, sector: sector, count: count)
                case 1: try write(&queue, &device, sector: sector, [UInt8](repeating: 9, count: count * 512))
                default: try queue.flush(waiter: &device)
                }
            }
            outcomes.append(outcome)
            if queue.isBroken {
                // What a driver does: reset the device, then the queue.
                device.ring.availableSeen = 0
                device.ring.usedIndex = 0
                queue.reset()
            }
        }
        #expect(outcomes.contains(nil))
        #expect(outcomes.contains(.protocolViolation))
        #expect(outcomes.contains(.timeout))
        device.fault = nil
        try resetAndCheck(&queue, &device)
    }

    /// Resets the device's ring and the queue (what the driver does after resetting the device),
    /// then checks an honest read works again.
    func resetAndCheck(_ queue: inout BlockQueue<NoBarrier>, _ device: inout SimulatedBlockDevice) throws {
        device.fault = nil
        queue.reset()
        device.ring.availableSeen = 0
        #expect(!queue.isBroken)
        #expect(queue.queue.freeCount == queue.queue.layout.size)
        #expect(try read(&queue, &device, sector: 2, count: 1) == Array(device.disk[1024..<1536]))
    }
}
