// virtio-rng's queue, the virtio-net header's bytes, and feature negotiation.
@testable import Virtio
import XCTest

final class EntropyAndHeaderTests: XCTestCase {
    func testEntropyBytesAreReadOnceAndBuffersReturned() {
        let queue = makeQueue(size: 4)
        var device = SimulatedDevice(queue)
        var entropy = EntropyQueue(queue: queue, bufferCount: 2, bufferSize: 8)
        XCTAssertTrue(entropy.start())
        var output = [UInt8](repeating: 0, count: 12)
        XCTAssertEqual(output.withUnsafeMutableBytes { entropy.take(into: $0) }.count, 0, "nothing delivered yet")

        for fill: UInt8 in [0x11, 0x22] {
            guard let (head, chain) = device.takeAvailable() else { return XCTFail("no buffer offered") }
            XCTAssertEqual(chain.map(\.flags), [2], "device-writable")
            let written = device.write((0..<8).map { fill &+ $0 }, into: chain)
            device.use(identifier: UInt32(head), length: UInt32(written))
        }
        XCTAssertTrue(entropy.hasBytes)
        let (count, notify) = output.withUnsafeMutableBytes { entropy.take(into: $0) }
        XCTAssertEqual(count, 12)
        XCTAssertTrue(notify)
        XCTAssertEqual(output, [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x22, 0x23, 0x24, 0x25])
        XCTAssertEqual(device.availableIndex, 3, "the first buffer went back, the second is half read")
        var rest = [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(rest.withUnsafeMutableBytes { entropy.take(into: $0) }.count, 4)
        XCTAssertEqual(rest[0..<4], [0x26, 0x27, 0x28, 0x29])
        XCTAssertEqual(entropy.bytesTaken, 16)
    }

    func testEntropyLengthsTheDeviceCannotHaveWrittenAreIgnored() {
        let queue = makeQueue(size: 4)
        var device = SimulatedDevice(queue)
        var entropy = EntropyQueue(queue: queue, bufferCount: 2, bufferSize: 8)
        _ = entropy.start()
        guard let (head, _) = device.takeAvailable() else { return XCTFail("no buffer offered") }
        device.use(identifier: UInt32(head), length: 4096)
        device.use(identifier: 3, length: 8)
        var output = [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(output.withUnsafeMutableBytes { entropy.take(into: $0) }.count, 0)
        XCTAssertEqual(entropy.queue.counters.lengthsTooLong, 1)
        XCTAssertEqual(entropy.queue.counters.unknownIdentifiers, 1)
        XCTAssertEqual(device.availableIndex, 3, "the refused buffer was offered again")
    }

    func testHeaderBytesBothLengths() {
        var header = NetworkHeader()
        header.flags = 1
        header.segmentationType = 0x80
        header.headerLength = 0x0102
        header.segmentSize = 0x0304
        header.checksumStart = 0x0506
        header.checksumOffset = 0x0708
        header.bufferCount = 0x090a
        var bytes = [UInt8](repeating: 0xee, count: 12)
        bytes.withUnsafeMutableBytes { header.emit(into: $0, length: 12) }
        XCTAssertEqual(bytes, [0x01, 0x80, 0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07, 0x0a, 0x09])
        XCTAssertEqual(bytes.withUnsafeBytes { NetworkHeader(parsing: $0, length: 12) }, header)

        bytes = [UInt8](repeating: 0xee, count: 12)
        bytes.withUnsafeMutableBytes { header.emit(into: $0, length: 10) }
        XCTAssertEqual(bytes[10...], [0xee, 0xee], "a legacy header is 10 bytes")
        var legacy = header
        legacy.bufferCount = 0
        XCTAssertEqual(bytes.withUnsafeBytes { NetworkHeader(parsing: $0, length: 10) }, legacy)
        XCTAssertNil(bytes.withUnsafeBytes { NetworkHeader(parsing: UnsafeRawBufferPointer(rebasing: $0[0..<9]), length: 10) })
        XCTAssertNil(bytes.withUnsafeBytes { NetworkHeader(parsing: $0, length: 11) })

        XCTAssertEqual(NetworkHeader.length(features: .version1), 12)
        XCTAssertEqual(NetworkHeader.length(features: .networkMergeableReceiveBuffers), 12)
        XCTAssertEqual(NetworkHeader.length(features: .networkMAC | .anyLayout), 10)
    }

    func testNegotiationAcceptsOnlyWhatBothSidesKnow() {
        // What QEMU's virtio-net offers on a modern transport, roughly: many bits we do not want.
        let offered = VirtioFeatures(rawValue: 0x0000_0001_3df1_ffe7 | VirtioFeatures.version1.rawValue)
        let wanted: VirtioFeatures = .networkMAC | .networkStatus | .anyLayout | .version1
        let accepted = VirtioFeatures.negotiate(offered: offered, wanted: wanted, required: .version1)
        XCTAssertEqual(accepted, .networkMAC | .networkStatus | .version1 | (offered & .anyLayout))
        XCTAssertEqual(accepted?.word(1), 1)

        // A legacy device offers 32 bits only: no VERSION_1, which a modern transport requires.
        let legacy = VirtioFeatures(rawValue: 0x0800_0020)
        XCTAssertNil(VirtioFeatures.negotiate(offered: legacy, wanted: wanted, required: .version1))
        XCTAssertEqual(VirtioFeatures.negotiate(offered: legacy, wanted: wanted, required: .none), .networkMAC | .anyLayout)
    }
}
