// The in-memory disk: round trips and the request checks every device shares.
import Testing
import Capabilities
import Storage

@Suite struct MemoryBlockDeviceTests {
    @Test func roundTripsSectors() throws {
        let disk = MemoryBlockDevice(sectorCount: 8)
        let data = (0..<1024).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try data.withUnsafeBytes { try disk.write(sector: 3, from: $0) }
        var back = [UInt8](repeating: 0, count: 1024)
        try back.withUnsafeMutableBytes { try disk.read(sector: 3, into: $0) }
        #expect(back == data)
        #expect(disk.bytes[3 * 512..<5 * 512].elementsEqual(data))
    }

    @Test func rejectsBadRequests() {
        let disk = MemoryBlockDevice(sectorCount: 4)
        var buffer = [UInt8](repeating: 0, count: 512)
        #expect(throws: BlockError.outOfRange) { try buffer.withUnsafeMutableBytes { try disk.read(sector: 4, into: $0) } }
        var two = [UInt8](repeating: 0, count: 1024)
        #expect(throws: BlockError.outOfRange) { try two.withUnsafeMutableBytes { try disk.read(sector: 3, into: $0) } }
        var odd = [UInt8](repeating: 0, count: 100)
        #expect(throws: BlockError.misaligned) { try odd.withUnsafeMutableBytes { try disk.read(sector: 0, into: $0) } }
        #expect(throws: BlockError.outOfRange) { try buffer.withUnsafeMutableBytes { try disk.read(sector: .max, into: $0) } }
        let readOnly = MemoryBlockDevice(sectorCount: 4, isReadOnly: true)
        #expect(throws: BlockError.readOnly) { try buffer.withUnsafeBytes { try readOnly.write(sector: 0, from: $0) } }
    }
}
