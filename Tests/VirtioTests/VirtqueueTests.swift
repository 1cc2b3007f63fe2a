// The split virtqueue against a simulated device: layout, chains, index wrap-around, and a hostile device.
@testable import Virtio
import XCTest

final class VirtqueueTests: XCTestCase {
    func testLayoutMatchesTheLegacyFormula() {
        // §2.6.2 legacy: used ring at the next 4096 boundary after descriptors and available ring.
        let layout128 = VirtqueueLayout(size: 128)!
        XCTAssertEqual(layout128.availableRingOffset, 2048)
        XCTAssertEqual(layout128.usedRingOffset, 4096)
        XCTAssertEqual(layout128.totalSize, 8192)
        let layout256 = VirtqueueLayout(size: 256)!
        XCTAssertEqual(layout256.availableRingOffset, 4096)
        XCTAssertEqual(layout256.usedRingOffset, 8192)  // 4096 + 6 + 512 rounds up
        XCTAssertEqual(layout256.totalSize, 12288)      // 8192 + 6 + 2048 rounds up
        XCTAssertEqual(layout256.usedElementOffset(255), 8192 + 4 + 8 * 255)
        XCTAssertNil(VirtqueueLayout(size: 0))
        XCTAssertNil(VirtqueueLayout(size: 100))
        XCTAssertNil(VirtqueueLayout(size: 65536))
        XCTAssertEqual(VirtqueueLayout.size(fittingDeviceLimit: 1024, preferred: 128), 128)
        XCTAssertEqual(VirtqueueLayout.size(fittingDeviceLimit: 100, preferred: 128), 64)
        XCTAssertNil(VirtqueueLayout.size(fittingDeviceLimit: 0, preferred: 128))
    }

    func testOfferedChainsReachTheDeviceAndComeBack() {
        var queue = makeQueue(size: 8)
        var device = SimulatedDevice(queue)
        XCTAssertTrue(queue.offer(BufferSegment(address: 0x4000_1000, length: 100, isDeviceWritable: false), token: 7))
        XCTAssertTrue(queue.offer(BufferSegment(address: 0x4000_2000, length: 10, isDeviceWritable: true),
                                  BufferSegment(address: 0x4000_200a, length: 1526, isDeviceWritable: true), token: 9))
        XCTAssertEqual(queue.freeCount, 5)
        XCTAssertNil(device.takeAvailable(), "nothing is visible before publish")
        XCTAssertTrue(queue.publish())
        XCTAssertEqual(device.availableIndex, 2)

        let first = device.takeAvailable()!
        XCTAssertEqual(first.head, 0)
        XCTAssertEqual(first.chain, [SeenDescriptor(address: 0x4000_1000, length: 100, flags: 0, next: 0)])
        let second = device.takeAvailable()!
        XCTAssertEqual(second.head, 1)
        XCTAssertEqual(second.chain, [SeenDescriptor(address: 0x4000_2000, length: 10, flags: 3, next: 2),
                                      SeenDescriptor(address: 0x4000_200a, length: 1526, flags: 2, next: 0)])

        XCTAssertNil(queue.takeUsed())
        device.use(identifier: 1, length: 1536)
        device.use(identifier: 0, length: 0)
        XCTAssertTrue(queue.hasUsed)
        XCTAssertEqual(queue.takeUsed(), UsedBuffer(token: 9, length: 1536))
        XCTAssertEqual(queue.takeUsed(), UsedBuffer(token: 7, length: 0))
        XCTAssertNil(queue.takeUsed())
        XCTAssertEqual(queue.freeCount, 8)
        XCTAssertEqual(queue.chainsInFlight, 0)
        XCTAssertEqual(queue.counters.errors, 0)
    }

    func testQueueFullAndEmptySegmentsAreRefused() {
        var queue = makeQueue(size: 2)
        let segment = BufferSegment(address: 0x1000, length: 64, isDeviceWritable: true)
        XCTAssertFalse(queue.offer(BufferSegment(address: 0x1000, length: 0, isDeviceWritable: true), token: 1))
        XCTAssertTrue(queue.offer(segment, token: 1))
        XCTAssertFalse(queue.offer(segment, segment, token: 2), "two descriptors needed, one free")
        XCTAssertTrue(queue.offer(segment, token: 2))
        XCTAssertFalse(queue.offer(segment, token: 3))
        XCTAssertEqual(queue.freeCount, 0)
    }

    func testSixteenBitIndicesWrapAround() {
        // 70 000 round trips through a 4-entry queue: both free-running indices pass 65535.
        var queue = makeQueue(size: 4)
        var device = SimulatedDevice(queue)
        var sent: UInt32 = 0
        for round in 0..<70_000 {
            let token = UInt16(round % 1000)
            XCTAssertTrue(queue.offer(BufferSegment(address: 0x8000, length: 64, isDeviceWritable: true), token: token))
            _ = queue.publish()
            guard let (head, _) = device.takeAvailable() else { return XCTFail("device saw nothing at \(round)") }
            sent = UInt32(round % 64 + 1)
            device.use(identifier: UInt32(head), length: sent)
            guard let used = queue.takeUsed() else { return XCTFail("nothing used at \(round)") }
            if used != UsedBuffer(token: token, length: Int(sent)) { return XCTFail("round \(round): \(used)") }
        }
        XCTAssertEqual(device.availableIndex, UInt16(70_000 & 0xffff))
        XCTAssertEqual(device.usedIndex, UInt16(70_000 & 0xffff))
        XCTAssertEqual(queue.counters.buffersReturned, 70_000)
        XCTAssertEqual(queue.freeCount, 4)
    }

    func testWrapAroundWithSeveralInFlight() {
        var queue = makeQueue(size: 8)
        var device = SimulatedDevice(queue)
        var next: UInt16 = 0
        var expected: [UInt16] = []
        for _ in 0..<20_000 {
            // Keep six in flight; the device returns them out of order (newest first).
            while queue.chainsInFlight < 6 {
                XCTAssertTrue(queue.offer(BufferSegment(address: 0x8000, length: 8, isDeviceWritable: false), token: next))
                next = (next + 1) % 0x8000
            }
            _ = queue.publish()
            var taken: [UInt16] = []
            while let (head, _) = device.takeAvailable() { taken.append(head) }
            for head in taken.reversed() { device.use(identifier: UInt32(head), length: 0) }
            expected = []
            while let used = queue.takeUsed() { expected.append(used.token) }
            XCTAssertEqual(expected.count, taken.count)
        }
        XCTAssertEqual(queue.counters.errors, 0)
        XCTAssertGreaterThan(Int(device.usedIndex), 0)
    }

    func testHostileUsedIdentifiersAreCountedAndSkipped() {
        var queue = makeQueue(size: 4)
        var device = SimulatedDevice(queue)
        XCTAssertTrue(queue.offer(BufferSegment(address: 0x1000, length: 64, isDeviceWritable: true), token: 5))
        XCTAssertTrue(queue.offer(BufferSegment(address: 0x2000, length: 64, isDeviceWritable: true), token: 6))
        _ = queue.publish()
        _ = device.takeAvailable()
        device.use(identifier: 4, length: 10)           // out of range
        XCTAssertEqual(queue.takeUsed(), nil)
        XCTAssertEqual(queue.counters.unknownIdentifiers, 1)
        device.use(identifier: 0xffff_ffff, length: 10) // far out of range
        device.use(identifier: 3, length: 10)           // in range, never offered
        device.use(identifier: 0, length: 10)           // the real one
        XCTAssertEqual(queue.takeUsed(), UsedBuffer(token: 5, length: 10))
        XCTAssertEqual(queue.counters.unknownIdentifiers, 3)
        device.use(identifier: 0, length: 10)           // returned twice
        XCTAssertNil(queue.takeUsed())
        XCTAssertEqual(queue.counters.unknownIdentifiers, 4)
        XCTAssertEqual(queue.freeCount, 3, "only the one real return freed a descriptor")
        XCTAssertFalse(queue.isBroken)
    }

    func testLengthBeyondTheBufferIsNotTrusted() {
        var queue = makeQueue(size: 4)
        var device = SimulatedDevice(queue)
        XCTAssertTrue(queue.offer(BufferSegment(address: 0x1000, length: 10, isDeviceWritable: true),
                                  BufferSegment(address: 0x100a, length: 54, isDeviceWritable: true), token: 1))
        XCTAssertTrue(queue.offer(BufferSegment(address: 0x2000, length: 64, isDeviceWritable: false), token: 2))
        _ = queue.publish()
        device.use(identifier: 0, length: 65)
        device.use(identifier: 2, length: 1)  // a read-only chain: the device may write nothing
        XCTAssertEqual(queue.takeUsed(), UsedBuffer(token: 1, length: nil))
        XCTAssertEqual(queue.takeUsed(), UsedBuffer(token: 2, length: nil))
        XCTAssertEqual(queue.counters.lengthsTooLong, 2)
        XCTAssertEqual(queue.freeCount, 4, "the chains are still the driver's again")
    }

    func testUsedIndexRunningAheadBreaksTheQueueWithoutTrapping() {
        var queue = makeQueue(size: 4)
        let device = SimulatedDevice(queue)
        XCTAssertTrue(queue.offer(BufferSegment(address: 0x1000, length: 64, isDeviceWritable: true), token: 1))
        _ = queue.publish()
        device.usedIndex = 5  // more than the queue size, and more than the one chain in flight
        XCTAssertNil(queue.takeUsed())
        XCTAssertTrue(queue.isBroken)
        XCTAssertEqual(queue.counters.usedIndexJumps, 1)
        XCTAssertFalse(queue.hasUsed)
        XCTAssertNil(queue.takeUsed())
        XCTAssertEqual(queue.counters.usedIndexJumps, 1)

        var other = makeQueue(size: 4)
        let otherDevice = SimulatedDevice(other)
        XCTAssertTrue(other.offer(BufferSegment(address: 0x1000, length: 64, isDeviceWritable: true), token: 1))
        XCTAssertTrue(other.offer(BufferSegment(address: 0x2000, length: 64, isDeviceWritable: true), token: 2))
        _ = other.publish()
        otherDevice.usedIndex = 0xffff  // "backwards": 65535 entries ahead
        XCTAssertNil(other.takeUsed())
        XCTAssertTrue(other.isBroken)
    }

    func testNotificationAndInterruptHints() {
        var queue = makeQueue(size: 4)
        let device = SimulatedDevice(queue)
        let segment = BufferSegment(address: 0x1000, length: 64, isDeviceWritable: true)
        XCTAssertFalse(queue.publish(), "nothing new, nothing to notify")
        XCTAssertTrue(queue.offer(segment, token: 1))
        device.setNoNotify(true)
        XCTAssertFalse(queue.publish())
        XCTAssertEqual(device.availableIndex, 1, "published even when the device needs no notification")
        device.setNoNotify(false)
        XCTAssertTrue(queue.offer(segment, token: 2))
        XCTAssertTrue(queue.publish())
        queue.suppressInterrupts(true)
        XCTAssertEqual(device.availableFlags, 1)
        queue.suppressInterrupts(false)
        XCTAssertEqual(device.availableFlags, 0)
    }
}
