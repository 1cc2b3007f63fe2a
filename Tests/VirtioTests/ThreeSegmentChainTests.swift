// The split virtqueue's three-segment chains (virtio-blk's header, data, status): linked in order, refused when they cannot fit.
import Testing
@testable import Virtio

@Suite struct ThreeSegmentChainTests {
    let header = BufferSegment(address: 0x4000_0000, length: 16, isDeviceWritable: false)
    let data = BufferSegment(address: 0x4000_1000, length: 4096, isDeviceWritable: true)
    let status = BufferSegment(address: 0x4000_0010, length: 1, isDeviceWritable: true)

    @Test func aThreeSegmentChainIsLinkedInOrderAndCountsItsWritableBytes() throws {
        var queue = makeQueue(size: 4)
        var device = SimulatedDevice(queue)
        var offered = queue.offer(header, data, status, token: 42)
        #expect(offered)
        #expect(queue.freeCount == 1)
        _ = queue.publish()
        let available = device.takeAvailable()
        let (head, chain) = try #require(available)
        #expect(head == 0)
        #expect(chain == [SeenDescriptor(address: 0x4000_0000, length: 16, flags: 1, next: 1),
                          SeenDescriptor(address: 0x4000_1000, length: 4096, flags: 3, next: 2),
                          SeenDescriptor(address: 0x4000_0010, length: 1, flags: 2, next: 0)])
        device.use(identifier: 0, length: 4098)
        var used = queue.takeUsed()
        #expect(used == UsedBuffer(token: 42, length: nil), "4097 writable bytes, not 4098")
        #expect(queue.freeCount == 4 && queue.chainsInFlight == 0)
        offered = queue.offer(header, data, status, token: 43)
        #expect(offered)
        _ = queue.publish()
        device.use(identifier: 0, length: 4097)
        used = queue.takeUsed()
        #expect(used == UsedBuffer(token: 43, length: 4097))
        #expect(queue.freeCount == 4)
    }

    @Test func chainsThatCannotFitAreRefused() {
        var queue = makeQueue(size: 4)
        var offered = queue.offer(header, status, token: 1)
        #expect(offered)
        offered = queue.offer(header, data, status, token: 2)
        #expect(!offered, "three descriptors needed, two free")
        offered = queue.offer(header, status, token: 3)
        #expect(offered)
        #expect(queue.freeCount == 0)
        var fresh = makeQueue(size: 4)
        offered = fresh.offer(header, nil, status, token: 4)
        #expect(!offered, "a third segment without a second")
        offered = fresh.offer(header, data, BufferSegment(address: 0x10, length: 0, isDeviceWritable: true), token: 5)
        #expect(!offered, "an empty third segment")
        #expect(fresh.freeCount == 4 && fresh.chainsInFlight == 0)
    }
}
