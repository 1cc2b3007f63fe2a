// Wire views against golden frames (RFC examples, independently computed bytes) and the exact
// error each broken input gives.
import Capabilities
import Digest
@testable import Network
import XCTest

final class WireFormatTests: XCTestCase {
    /// A SYN from 10.0.0.2:49152 to 10.0.0.1:80, seq 0x01020304, MSS 1460, window scale 7.
    let syn: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x08, 0x00,
        0x45, 0x00, 0x00, 0x30, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x14, 0x92, 0x0a, 0x00, 0x00, 0x02,
        0x0a, 0x00, 0x00, 0x01,
        0xc0, 0x00, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x70, 0x02, 0xff, 0xff,
        0xab, 0xbf, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07,
    ]

    func testInternetChecksumMatchesRFC1071Example() {
        // RFC 1071 3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
        let bytes: [UInt8] = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]
        XCTAssertEqual(bytes.withUnsafeBytes { InternetChecksum.of($0) }, ~UInt16(0xddf2))
        // Split at an odd boundary, the running sum is the same.
        var split = InternetChecksum()
        bytes.withUnsafeBytes { split.add(UnsafeRawBufferPointer(rebasing: $0[0..<3])); split.add(UnsafeRawBufferPointer(rebasing: $0[3...])) }
        XCTAssertEqual(split.value, ~UInt16(0xddf2))
    }

    /// The four-bytes-at-a-time sum equals RFC 1071's 16-bit definition for every length,
    /// alignment and split point, with carries exercised by 0xFF-heavy data.
    func testInternetChecksumMatchesWordByWordDefinition() {
        var generator = SplitMix64(seed: 1071)
        for length in 0..<300 {
            let bytes = (0..<length + 3).map { _ in generator.next() & 3 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : 0xFF }
            let offset = length % 4
            var reference: UInt32 = 0
            var index = offset
            while index < offset + length {
                let low: UInt32 = index + 1 < offset + length ? UInt32(bytes[index + 1]) : 0
                reference += UInt32(bytes[index]) << 8 | low
                index += 2
            }
            while reference > 0xFFFF { reference = (reference & 0xFFFF) + (reference >> 16) }
            let expected = ~UInt16(reference)
            let split = length == 0 ? 0 : Int(generator.next() % UInt64(length + 1))
            bytes.withUnsafeBytes { all in
                let region = UnsafeRawBufferPointer(rebasing: all[offset..<offset + length])
                XCTAssertEqual(InternetChecksum.of(region), expected, "length \(length)")
                var pieces = InternetChecksum()
                pieces.add(UnsafeRawBufferPointer(rebasing: region[..<split]))
                pieces.add(UnsafeRawBufferPointer(rebasing: region[split...]))
                XCTAssertEqual(pieces.value, expected, "length \(length) split \(split)")
            }
        }
    }

    func testIPv4HeaderChecksumExample() throws {
        // A widely used worked example: 192.168.0.1 -> 192.168.0.199, UDP, checksum b861.
        let header: [UInt8] = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
                               0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7] + [UInt8](repeating: 0, count: 95)
        let parsed = try header.withUnsafeBytes { try IPv4Header(parsing: IPv4Packet(unchecked: $0)) }
        XCTAssertEqual(parsed.source, IPv4Address(192, 168, 0, 1))
        XCTAssertEqual(parsed.destination, IPv4Address(192, 168, 0, 199))
        XCTAssertEqual(parsed.payloadLength, 95)
        XCTAssertTrue(parsed.dontFragment)
        var emitted = [UInt8](repeating: 0, count: 20)
        emitted.withUnsafeMutableBytes { parsed.emit(into: $0) }
        XCTAssertEqual(emitted, Array(header[0..<20]))
    }

    func testTCPSynParsesAndEmitsByteForByte() throws {
        let (ethernet, ip, tcp) = try syn.withUnsafeBytes { bytes -> (EthernetHeader, IPv4Header, TCPHeader) in
            let frame = try EthernetFrame(checking: bytes)
            let packet = try IPv4Packet(checking: frame.payload)
            let ip = try IPv4Header(parsing: packet)
            return (try EthernetHeader(parsing: frame), ip,
                    try TCPHeader(parsing: TCPSegment(unchecked: packet.payload), source: ip.source, destination: ip.destination))
        }
        XCTAssertEqual(ethernet, EthernetHeader(destination: macA, source: macB, etherType: EtherType.ipv4))
        XCTAssertEqual(ip.identification, 0x1234)
        XCTAssertEqual(tcp, TCPHeader(sourcePort: 49152, destinationPort: 80, sequenceNumber: SequenceNumber(0x0102_0304),
                                      acknowledgmentNumber: SequenceNumber(0), flags: [.syn], window: 65535,
                                      maximumSegmentSize: 1460, windowScale: 7))
        var emitted = [UInt8](repeating: 0, count: syn.count)
        emitted.withUnsafeMutableBytes { bytes in
            ethernet.emit(into: bytes)
            ip.emit(into: UnsafeMutableRawBufferPointer(rebasing: bytes[14..<34]))
            tcp.emit(into: UnsafeMutableRawBufferPointer(rebasing: bytes[34...]), source: ip.source, destination: ip.destination)
        }
        XCTAssertEqual(emitted, syn)
    }

    func testUDPAndICMPGoldenBytes() throws {
        let datagram: [UInt8] = [0x14, 0xe9, 0x00, 0x07, 0x00, 0x0d, 0x93, 0x0f, 0x68, 0x65, 0x6c, 0x6c, 0x6f]
        let udp = try datagram.withUnsafeBytes { try UDPHeader(parsing: UDPDatagram(unchecked: $0), source: addressB, destination: addressA) }
        XCTAssertEqual(udp, UDPHeader(sourcePort: 5353, destinationPort: 7, payloadLength: 5))
        var emitted = datagram
        emitted[6] = 0; emitted[7] = 0
        emitted.withUnsafeMutableBytes { udp.emit(into: $0, source: addressB, destination: addressA) }
        XCTAssertEqual(emitted, datagram)
        let echo: [UInt8] = [0x08, 0x00, 0xf0, 0xf5, 0x42, 0x42, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64]
        let icmp = try echo.withUnsafeBytes { try ICMPHeader(parsing: ICMPPacket(unchecked: $0)) }
        XCTAssertEqual(icmp, ICMPHeader(type: 8, code: 0, restOfHeader: 0x4242_0001))
        var reply = echo
        reply.withUnsafeMutableBytes { ICMPHeader(type: 0, code: 0, restOfHeader: 0x4242_0001).emit(into: $0) }
        XCTAssertEqual(reply, [0x00, 0x00, 0xf8, 0xf5, 0x42, 0x42, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64])
    }

    func testARPRequestGoldenBytes() throws {
        // RFC 826: who has 10.0.0.2? Tell 10.0.0.1 (02:00:00:00:00:0a).
        let frame: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x06,
                              0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
                              0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02]
        let message = ARPMessage(operation: .request, senderHardware: macA, senderProtocol: addressA,
                                 targetHardware: .zero, targetProtocol: addressB)
        XCTAssertEqual(arpFrame(message, from: macA, to: .broadcast), frame)
        XCTAssertEqual(try frame.withUnsafeBytes { try ARPMessage(parsing: ARPPacket(unchecked: UnsafeRawBufferPointer(rebasing: $0[14...]))) },
                       message)
    }

    func testBrokenInputsGiveTheirExactErrors() {
        func ipError(_ bytes: [UInt8]) -> WireError? {
            bytes.withUnsafeBytes { bytes -> WireError? in
                do { _ = try IPv4Header(parsing: IPv4Packet(unchecked: bytes)); return nil } catch { return error as? WireError }
            }
        }
        let packet = Array(syn[14...])
        XCTAssertNil(ipError(packet))
        XCTAssertEqual(ipError(Array(packet[0..<19])), .truncated)
        XCTAssertEqual(ipError(Array(packet[0..<40])), .truncated, "total length says 48")
        var version6 = packet; version6[0] = 0x65
        XCTAssertEqual(ipError(version6), .unsupported)
        var shortHeader = packet; shortHeader[0] = 0x44
        XCTAssertEqual(ipError(shortHeader), .malformed)
        var badTotal = packet; badTotal[3] = 0x10
        XCTAssertEqual(ipError(badTotal), .malformed, "total length below the header length")
        var badChecksum = packet; badChecksum[8] = 1
        XCTAssertEqual(ipError(badChecksum), .badChecksum)

        func tcpError(_ segment: [UInt8]) -> WireError? {
            segment.withUnsafeBytes { bytes -> WireError? in
                do { _ = try TCPHeader(parsing: TCPSegment(unchecked: bytes), source: addressB, destination: addressA); return nil }
                catch { return error as? WireError }
            }
        }
        let segment = Array(syn[34...])
        XCTAssertNil(tcpError(segment))
        XCTAssertEqual(tcpError(Array(segment[0..<19])), .truncated)
        var offsetTooSmall = segment; offsetTooSmall[12] = 0x40
        XCTAssertEqual(tcpError(offsetTooSmall), .malformed)
        var offsetTooLarge = segment; offsetTooLarge[12] = 0xF0
        XCTAssertEqual(tcpError(offsetTooLarge), .truncated)
        var corrupted = segment; corrupted[4] ^= 1
        XCTAssertEqual(tcpError(corrupted), .badChecksum)
        // Options: a zero length, and an MSS option of the wrong length (checksums fixed up).
        func withOptions(_ options: [UInt8]) -> [UInt8] {
            var bytes = Array(segment[0..<20]) + options
            bytes[12] = UInt8(bytes.count / 4) << 4
            bytes[16] = 0; bytes[17] = 0
            var sum = InternetChecksum.pseudoHeader(source: addressB, destination: addressA, protocolNumber: 6, length: bytes.count)
            bytes.withUnsafeBytes { sum.add($0) }
            bytes[16] = UInt8(sum.value >> 8); bytes[17] = UInt8(sum.value & 0xFF)
            return bytes
        }
        XCTAssertNil(tcpError(withOptions([1, 1, 1, 0])))
        XCTAssertEqual(tcpError(withOptions([8, 0, 1, 1])), .malformed)
        XCTAssertEqual(tcpError(withOptions([2, 3, 5, 0])), .malformed)
        XCTAssertEqual(tcpError(withOptions([3, 9, 0, 0])), .malformed, "length past the options")
        XCTAssertEqual(tcpError(withOptions([1, 1, 1, 2])), .malformed, "kind with no length byte")

        func udpError(_ datagram: [UInt8]) -> WireError? {
            datagram.withUnsafeBytes { bytes -> WireError? in
                do { _ = try UDPHeader(parsing: UDPDatagram(unchecked: bytes), source: addressB, destination: addressA); return nil }
                catch { return error as? WireError }
            }
        }
        XCTAssertEqual(udpError([0x14, 0xe9, 0x00, 0x07, 0x00, 0x07, 0x00, 0x00]), .malformed, "length below 8")
        XCTAssertEqual(udpError([0x14, 0xe9, 0x00, 0x07, 0x00, 0x20, 0x00, 0x00]), .truncated)
        XCTAssertNil(udpError([0x14, 0xe9, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00]), "zero checksum: none computed")
        XCTAssertEqual(udpError([0x14, 0xe9, 0x00, 0x07, 0x00, 0x08, 0x12, 0x34]), .badChecksum)

        func arpError(_ bytes: [UInt8]) -> WireError? {
            bytes.withUnsafeBytes { bytes -> WireError? in
                do { _ = try ARPMessage(parsing: ARPPacket(unchecked: bytes)); return nil } catch { return error as? WireError }
            }
        }
        XCTAssertEqual(arpError([0, 1, 8, 0, 6, 4, 0, 1]), .truncated)
        XCTAssertEqual(arpError([0, 6] + [UInt8](repeating: 0, count: 26)), .unsupported)
        XCTAssertEqual(arpError([0, 1, 8, 0, 6, 4, 0, 9] + [UInt8](repeating: 0, count: 20)), .unsupported)
    }

    func testSipHashReferenceVector() {
        // The SipHash-2-4 paper's test key 00..0f and 16-byte message 00..0f.
        let hash = SipHash(key0: 0x0706_0504_0302_0100, key1: 0x0F0E_0D0C_0B0A_0908)
        XCTAssertEqual(hash.hash(0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908), 0x3F2A_CC7F_57C2_9BDB)
    }

    func testSequenceNumbersCompareAcrossWrap() {
        let high = SequenceNumber(0xFFFF_FFF0)
        let low = high + 0x20
        XCTAssertEqual(low.rawValue, 0x10)
        XCTAssertTrue(high < low)
        XCTAssertTrue(low > high)
        XCTAssertEqual(low - high, 0x20)
        XCTAssertEqual(high - low, 0, "a negative distance clamps to zero")
        XCTAssertEqual(low.distance(from: high), 0x20)
        XCTAssertEqual(SequenceNumber.max(high, low), low)
    }

    func testAssemblerMergesAndRefusesWhenFull() {
        var assembler = Assembler(slots: 2)
        XCTAssertTrue(assembler.insert(10..<20))
        XCTAssertTrue(assembler.insert(30..<40))
        XCTAssertFalse(assembler.insert(50..<60), "no third slot")
        XCTAssertTrue(assembler.insert(15..<32), "bridging merges into one")
        XCTAssertEqual(assembler.rangeCount, 1)
        XCTAssertEqual(assembler.advance(by: 5), 0, "a hole at 5..<10 remains")
        XCTAssertEqual(assembler.advance(by: 5), 30, "the hole filled: 30 more bytes are contiguous")
        XCTAssertTrue(assembler.isEmpty)
    }

    func testRingBufferWrapsAndKeepsOutOfOrderBytes() {
        var ring = RingBuffer(capacity: 8)
        XCTAssertEqual(([1, 2, 3, 4, 5, 6] as [UInt8]).withUnsafeBytes { ring.append($0) }, 6)
        var out = [UInt8](repeating: 0, count: 4)
        XCTAssertEqual(out.withUnsafeMutableBytes { ring.read(into: $0) }, 4)
        XCTAssertEqual(out, [1, 2, 3, 4])
        // Written past the readable end (out of order), then committed after a read emptied it.
        ([9, 10] as [UInt8]).withUnsafeBytes { ring.write($0, at: 4) }
        XCTAssertEqual(out.withUnsafeMutableBytes { ring.read(into: $0) }, 2)
        ([7, 8] as [UInt8]).withUnsafeBytes { ring.write($0, at: 0) }
        ring.commit(4)
        XCTAssertEqual(out.withUnsafeMutableBytes { ring.read(into: $0) }, 4)
        XCTAssertEqual(out, [7, 8, 9, 10])
    }

    /// In-place appends fill the free space in two pieces when it wraps, stop at a short write,
    /// and keep what was written before a failure.
    func testRingBufferAppendsInPlaceAcrossTheWrap() {
        var ring = RingBuffer(capacity: 8)
        XCTAssertEqual(([1, 2, 3, 4, 5, 6] as [UInt8]).withUnsafeBytes { ring.append($0) }, 6)
        var out = [UInt8](repeating: 0, count: 5)
        XCTAssertEqual(out.withUnsafeMutableBytes { ring.read(into: $0) }, 5)
        // Head at 5, one byte readable (6): the free space is 6..<8 then 0..<5.
        var next: UInt8 = 20
        var pieces: [Int] = []
        let total = ring.appendInPlace { space in
            pieces.append(space.count)
            for index in 0..<space.count { space[index] = next; next += 1 }
            return space.count
        }
        XCTAssertEqual(total, 7)
        XCTAssertEqual(pieces, [2, 5])
        var all = [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(all.withUnsafeMutableBytes { ring.read(into: $0) }, 8)
        XCTAssertEqual(all, [6, 20, 21, 22, 23, 24, 25, 26])
        // A short write ends it; a failure keeps the earlier piece.
        // Head at 5 and empty: a write of 2 into the 3-byte piece 5..<8 is short and ends it.
        XCTAssertEqual(ring.appendInPlace { space in min(space.count, 2) }, 2)
        // Then 7..<8 is filled, and the failure in the second piece keeps that byte.
        var calls = 0
        XCTAssertNil(ring.appendInPlace { space in
            calls += 1
            return calls == 1 ? space.count : nil
        })
        XCTAssertEqual(ring.count, 3)
    }
}
