// virtio-net's queues against a simulated device: headers of both sizes, the split legacy layout, bad frames, a full transmit queue.
@testable import Virtio
import XCTest

final class NetworkQueuesTests: XCTestCase {
    struct Rig {
        var queues: NetworkQueues<NoBarrier>
        var receiveDevice: SimulatedDevice
        var transmitDevice: SimulatedDevice
    }

    func makeRig(features: VirtioFeatures, receiveSize: Int = 8, transmitSize: Int = 4,
                 receiveBuffers: Int = 8, transmitBuffers: Int = 4) -> Rig {
        let receive = makeQueue(size: receiveSize)
        let transmit = makeQueue(size: transmitSize)
        let receiveDevice = SimulatedDevice(receive)
        let transmitDevice = SimulatedDevice(transmit)
        var queues = NetworkQueues(receive: receive, transmit: transmit, features: features,
                                   receiveBuffers: receiveBuffers, transmitBuffers: transmitBuffers)
        XCTAssertTrue(queues.start())
        return Rig(queues: queues, receiveDevice: receiveDevice, transmitDevice: transmitDevice)
    }

    /// The device delivers `frame` (after a header of `headerLength` bytes) into the next receive chain.
    func deliver(_ frame: [UInt8], headerLength: Int, on rig: inout Rig, claimedLength: UInt32? = nil) {
        guard let (head, chain) = rig.receiveDevice.takeAvailable() else { return XCTFail("no receive buffer") }
        let written = rig.receiveDevice.write([UInt8](repeating: 0, count: headerLength) + frame, into: chain)
        rig.receiveDevice.use(identifier: UInt32(head), length: claimedLength ?? UInt32(written))
    }

    func testModernFramesUseOneDescriptorAndATwelveByteHeader() {
        var rig = makeRig(features: .version1 | .networkMAC)
        XCTAssertEqual(rig.queues.headerLength, 12)
        XCTAssertFalse(rig.queues.separatesHeader)
        XCTAssertEqual(rig.queues.receiveBufferCount, 8)
        XCTAssertEqual(rig.receiveDevice.availableIndex, 8)
        XCTAssertEqual(rig.transmitDevice.availableFlags, 1, "no transmit interrupts wanted")

        let frame: [UInt8] = Array(0..<60)
        deliver(frame, headerLength: 12, on: &rig)
        let (received, _) = rig.queues.receive { Array($0) }
        XCTAssertEqual(received, frame)
        XCTAssertEqual(rig.receiveDevice.availableIndex, 9, "the buffer went straight back")
        XCTAssertNil(rig.queues.receive { _ in 0 }.result)

        let (sent, notify) = rig.queues.transmit(length: 42) { buffer in
            for index in 0..<buffer.count { buffer[index] = UInt8(index ^ 0x5a) }
        }
        XCTAssertTrue(sent)
        XCTAssertTrue(notify)
        guard let (_, chain) = rig.transmitDevice.takeAvailable() else { return XCTFail("nothing transmitted") }
        XCTAssertEqual(chain.count, 1)
        XCTAssertEqual(rig.transmitDevice.read(chain), [UInt8](repeating: 0, count: 12) + (0..<42).map { UInt8($0 ^ 0x5a) })
    }

    func testLegacyWithoutAnyLayoutGivesTheHeaderItsOwnDescriptor() {
        var rig = makeRig(features: .networkMAC)
        XCTAssertEqual(rig.queues.headerLength, 10)
        XCTAssertTrue(rig.queues.separatesHeader)
        XCTAssertEqual(rig.queues.receiveBufferCount, 4, "two descriptors per buffer in an 8-entry queue")
        let frame: [UInt8] = Array(repeating: 0xab, count: 100)
        guard let (head, chain) = rig.receiveDevice.takeAvailable() else { return XCTFail("no receive buffer") }
        XCTAssertEqual(chain.map(\.length), [10, 1526])
        XCTAssertEqual(chain.map(\.flags), [3, 2])
        XCTAssertEqual(chain[1].address, chain[0].address + 10, "one pool buffer, two descriptors")
        let written = rig.receiveDevice.write([UInt8](repeating: 0, count: 10) + frame, into: chain)
        rig.receiveDevice.use(identifier: UInt32(head), length: UInt32(written))
        XCTAssertEqual(rig.queues.receive { Array($0) }.result, frame)

        XCTAssertTrue(rig.queues.transmit(length: 14) { $0.initializeMemory(as: UInt8.self, repeating: 7) }.sent)
        guard let (_, sent) = rig.transmitDevice.takeAvailable() else { return XCTFail("nothing transmitted") }
        XCTAssertEqual(sent.map(\.length), [10, 14])
        XCTAssertEqual(sent.map(\.flags), [1, 0])
        XCTAssertEqual(rig.transmitDevice.read(sent), [UInt8](repeating: 0, count: 10) + [UInt8](repeating: 7, count: 14))
    }

    func testLegacyWithAnyLayoutUsesOneDescriptor() {
        let rig = makeRig(features: .anyLayout)
        XCTAssertEqual(rig.queues.headerLength, 10)
        XCTAssertFalse(rig.queues.separatesHeader)
    }

    func testBadReceivedFramesAreDroppedAndTheirBuffersRecycled() {
        var rig = makeRig(features: .version1)
        deliver([], headerLength: 4, on: &rig)                                  // shorter than the header
        deliver([1, 2, 3], headerLength: 12, on: &rig, claimedLength: 2000)     // beyond the buffer
        deliver([UInt8](repeating: 1, count: 1520), headerLength: 12, on: &rig) // beyond the MTU
        deliver([9, 9, 9], headerLength: 12, on: &rig)
        XCTAssertEqual(rig.queues.receive { Array($0) }.result, [9, 9, 9])
        XCTAssertEqual(rig.queues.counters.runtFrames, 1)
        XCTAssertEqual(rig.queues.counters.oversizedFrames, 1)
        XCTAssertEqual(rig.queues.receiveQueue.counters.lengthsTooLong, 1)
        XCTAssertEqual(rig.receiveDevice.availableIndex, 12, "all four buffers offered again")
        XCTAssertEqual(rig.queues.receiveQueue.freeCount, 0)
    }

    func testTransmitWaitsForFreeBuffersAndRejectsBadLengths() {
        var rig = makeRig(features: .version1, transmitSize: 2, transmitBuffers: 2)
        XCTAssertFalse(rig.queues.transmit(length: 0) { _ in XCTFail("filled an empty frame") }.sent)
        XCTAssertFalse(rig.queues.transmit(length: 1515) { _ in XCTFail("filled an oversized frame") }.sent)
        XCTAssertTrue(rig.queues.transmit(length: 1514) { _ in }.sent)
        XCTAssertTrue(rig.queues.transmit(length: 60) { _ in }.sent)
        XCTAssertFalse(rig.queues.transmit(length: 60) { _ in XCTFail("filled without a buffer") }.sent)
        XCTAssertEqual(rig.queues.counters.transmitRejected, 2)
        XCTAssertEqual(rig.queues.counters.transmitQueueFull, 1)
        XCTAssertEqual(rig.queues.transmitBuffersInFlight, 2)
        // The device sends one; the next transmit reclaims it.
        guard let (head, _) = rig.transmitDevice.takeAvailable() else { return XCTFail("nothing transmitted") }
        rig.transmitDevice.use(identifier: UInt32(head), length: 0)
        XCTAssertTrue(rig.queues.transmit(length: 60) { _ in }.sent)
        XCTAssertEqual(rig.queues.counters.framesTransmitted, 3)
    }

    func testAHostileTransmitDeviceCannotDuplicateBuffers() {
        var rig = makeRig(features: .version1, transmitSize: 4, transmitBuffers: 2)
        XCTAssertTrue(rig.queues.transmit(length: 60) { _ in }.sent)
        guard let (head, _) = rig.transmitDevice.takeAvailable() else { return XCTFail("nothing transmitted") }
        // The same buffer returned three times, plus garbage.
        rig.transmitDevice.use(identifier: UInt32(head), length: 0)
        rig.transmitDevice.use(identifier: UInt32(head), length: 0)
        rig.transmitDevice.use(identifier: 77, length: 0)
        rig.queues.reclaimTransmitBuffers()
        XCTAssertEqual(rig.queues.transmitBuffersInFlight, 0)
        XCTAssertEqual(rig.queues.transmitQueue.counters.unknownIdentifiers, 2)
        XCTAssertTrue(rig.queues.transmit(length: 60) { _ in }.sent)
        XCTAssertTrue(rig.queues.transmit(length: 60) { _ in }.sent)
        XCTAssertFalse(rig.queues.transmit(length: 60) { _ in }.sent, "still only two buffers")
    }

    func testManyFramesWrapTheReceiveRing() {
        var rig = makeRig(features: .version1, receiveSize: 4, receiveBuffers: 4)
        for round in 0..<70_000 {
            let frame = [UInt8(truncatingIfNeeded: round), UInt8(truncatingIfNeeded: round >> 8)]
            deliver(frame, headerLength: 12, on: &rig)
            guard rig.queues.receive({ Array($0) }).result == frame else { return XCTFail("round \(round)") }
        }
        XCTAssertEqual(rig.queues.counters.framesReceived, 70_000)
        XCTAssertEqual(rig.queues.receiveQueue.counters.errors, 0)
    }
}

final class NetworkQueuesResetTests: XCTestCase {
    func testAResetAfterABrokenRingStartsAfreshOverTheSameMemory() {
        let receive = makeQueue(size: 4)
        let transmit = makeQueue(size: 4)
        var receiveDevice = SimulatedDevice(receive)
        var queues = NetworkQueues(receive: receive, transmit: transmit, features: .version1,
                                   receiveBuffers: 4, transmitBuffers: 4)
        _ = queues.start()
        XCTAssertTrue(queues.transmit(length: 60) { _ in }.sent)
        receiveDevice.usedIndex = 9
        XCTAssertNil(queues.receive { _ in 0 }.result)
        XCTAssertTrue(queues.isBroken)

        // The driver resets the device; the device, reset too, starts from index 0.
        queues.reset()
        XCTAssertFalse(queues.isBroken)
        XCTAssertEqual(queues.transmitBuffersInFlight, 0)
        XCTAssertEqual(receiveDevice.usedIndex, 0)
        XCTAssertTrue(queues.start())
        receiveDevice = SimulatedDevice(queues.receiveQueue)
        XCTAssertEqual(receiveDevice.availableIndex, 4)
        guard let (head, chain) = receiveDevice.takeAvailable() else { return XCTFail("no receive buffer") }
        let written = receiveDevice.write([UInt8](repeating: 0, count: 12) + [1, 2, 3], into: chain)
        receiveDevice.use(identifier: UInt32(head), length: UInt32(written))
        XCTAssertEqual(queues.receive { Array($0) }.result, [1, 2, 3])
        XCTAssertEqual(queues.receiveQueue.counters.usedIndexJumps, 1, "counters survive the reset")
        XCTAssertEqual(queues.counters.resets, 1)
    }
}
