// The power-cut device: durable writes survive a cut, unflushed ones do not, the cut write tears.
import Testing
import Capabilities
import Storage

@Suite struct PowerCutDeviceTests {
    func write(_ device: PowerCutDevice, sector: UInt64, byte: UInt8) throws {
        let data = [UInt8](repeating: byte, count: device.sectorSize)
        try data.withUnsafeBytes { try device.write(sector: sector, from: $0) }
    }

    @Test func cutsKeepFlushedAndTearTheCutWrite() throws {
        let device = PowerCutDevice(sectorCount: 8)
        try write(device, sector: 0, byte: 1)
        try device.flush()
        try write(device, sector: 1, byte: 2)
        try write(device, sector: 2, byte: 3)
        #expect(device.writeCount == 3)
        #expect(device.durableWrites(before: 3) == 1)
        let afterAll = device.image(cutAtWrite: 3, tearingSeed: 1)
        #expect(afterAll[0] == 1 && afterAll[512] == 0 && afterAll[1024] == 0)
        // Cutting during write 1: sector 1 holds a prefix of twos, then the old zeros.
        for seed: UInt64 in 0..<20 {
            let image = device.image(cutAtWrite: 1, tearingSeed: seed)
            let sector = image[512..<1024]
            let kept = sector.prefix { $0 == 2 }.count
            #expect(sector.dropFirst(kept).allSatisfy { $0 == 0 })
            #expect(image[1024] == 0)
        }
        // A random subset of unflushed writes: sometimes the later one survives alone.
        var sawLaterOnly = false
        for seed: UInt64 in 0..<64 {
            let image = device.image(cutAtWrite: 3, tearingSeed: seed, unflushed: .randomSubset)
            if image[512] == 0 && image[1024] == 3 { sawLaterOnly = true }
        }
        #expect(sawLaterOnly)
    }

    @Test func failsWritesFromTheChosenOne() throws {
        let device = PowerCutDevice(sectorCount: 8)
        device.failingFromWrite = 1
        try write(device, sector: 0, byte: 1)
        #expect(throws: BlockError.deviceError) { try write(device, sector: 1, byte: 2) }
        #expect(throws: BlockError.deviceError) { try device.flush() }
        #expect(device.bytes[512] == 0)
        var back = [UInt8](repeating: 0, count: 512)
        try back.withUnsafeMutableBytes { try device.read(sector: 0, into: $0) }
        #expect(back[0] == 1)
    }
}
