// Golden bytes of the on-disk format (KeyValueFormat.swift): a superblock and a one-put record.
import Testing
import Capabilities
import Digest
import KV
import Storage

@Suite struct OnDiskFormatTests {
    @Test func superblockAndRecordBytes() throws {
        let disk = MemoryBlockDevice(sectorCount: 24)
        try KeyValueStore.format(disk)  // superblock 1 in slot 1
        let store = try KeyValueStore.open(disk)  // superblock 2 in slot 0: records carry epoch 2
        try store.put(bytes("k"), bytes("v"))
        try store.sync()
        let superblock: [UInt8] = [
            0x53, 0x45, 0x41, 0x4C, 0x4B, 0x56, 0x30, 0x31,  // "SEALKV01"
            0x01, 0x00, 0x00, 0x00,  // version 1
            0x00, 0x02, 0x00, 0x00,  // sector size 512
            0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // sequence 2
            0x0B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 11 sectors per region
            0x00, 0x00, 0x00, 0x00,  // active region 0
            0x00, 0x00, 0x00, 0x00,  // reserved
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // base epoch 1
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // first sequence 1
            0x96, 0x85, 0x6E, 0x55,  // CRC-32 of the 56 bytes above
        ]
        #expect(Array(disk.bytes[0..<60]) == superblock)
        #expect(superblock[0..<56].withUnsafeBytes { CRC32.checksum($0) } == 0x556E_8596)
        let record: [UInt8] = [
            0x53, 0x4B, 0x56, 0x52,  // "SKVR"
            0x01, 0x00, 0x00, 0x00,  // kind batch, reserved
            0x0C, 0x00, 0x00, 0x00,  // 12 payload bytes
            0xB7, 0x05, 0x55, 0xB9,  // CRC-32
            0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // epoch 2
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // sequence 1
            0x01, 0x00, 0x00, 0x00,  // one entry
            0x01, 0x01, 0x6B,  // put, key length 1, "k"
            0x01, 0x00, 0x00, 0x00, 0x76,  // value length 1, "v"
        ]
        // Region 0 starts at sector 2.
        #expect(Array(disk.bytes[1024..<1024 + 44]) == record)
        var zeroed = record
        for index in 12..<16 { zeroed[index] = 0 }
        #expect(zeroed.withUnsafeBytes { CRC32.checksum($0) } == 0xB955_05B7)
        #expect(disk.bytes[1024 + 44..<1536].allSatisfy { $0 == 0 })
    }
}
