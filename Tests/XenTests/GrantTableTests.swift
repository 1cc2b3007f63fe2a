// Grant table v1: references handed out past the reserved ones, the write order, and ending access safely.
import Testing
import XenABI
@testable import Xen

@Suite struct GrantTableTests {
    func flags(_ page: SharedPage, _ reference: GrantReference) -> UInt16 {
        page.bytes.load(fromByteOffset: Int(reference.rawValue) * 8, as: UInt16.self)
    }

    @Test func grantWritesTheEntry() throws {
        let page = SharedPage()
        let table = GrantTable(entries: page.bytes, count: 512)
        #expect(table.freeCount == 504)
        let reference = try table.grantAccess(domain: 0, frame: 0x4_1234, readOnly: false)
        #expect(reference.rawValue == 8)   // 0..<8 are GNTTAB_NR_RESERVED_ENTRIES
        #expect(flags(page, reference) == UInt16(GTF_permit_access))
        #expect(page.bytes.load(fromByteOffset: 8 * 8 + 2, as: UInt16.self) == 0)
        #expect(page.bytes.load(fromByteOffset: 8 * 8 + 4, as: UInt32.self) == 0x4_1234)
        let readOnly = try table.grantAccess(domain: 3, frame: 9, readOnly: true)
        #expect(readOnly.rawValue == 9)
        #expect(flags(page, readOnly) == UInt16(GTF_permit_access) | UInt16(GTF_readonly))
        #expect(page.bytes.load(fromByteOffset: 9 * 8 + 2, as: UInt16.self) == 3)
    }

    @Test func flagsAreWrittenAfterTheBarrier() throws {
        let page = SharedPage()
        var observed: [(UInt16, UInt16, UInt32)] = []
        let table = GrantTable(entries: page.bytes, count: 16, barrier: {
            observed.append((page.bytes.load(fromByteOffset: 64, as: UInt16.self),
                             page.bytes.load(fromByteOffset: 66, as: UInt16.self),
                             page.bytes.load(fromByteOffset: 68, as: UInt32.self)))
        })
        _ = try table.grantAccess(domain: 5, frame: 77, readOnly: false)
        // At the barrier, domid and frame are in place and the entry is not yet valid.
        #expect(observed.count == 1)
        #expect(observed[0] == (0, 5, 77))
    }

    @Test func endAccessRefusedWhileMapped() throws {
        let page = SharedPage()
        let table = GrantTable(entries: page.bytes, count: 16)
        let reference = try table.grantAccess(domain: 0, frame: 1, readOnly: false)
        let offset = Int(reference.rawValue) * 8
        // The backend maps it: Xen sets GTF_writing.
        page.bytes.storeBytes(of: UInt16(GTF_permit_access) | UInt16(GTF_writing), toByteOffset: offset, as: UInt16.self)
        #expect(throws: XenError.grantInUse(reference.rawValue)) { try table.endAccess(reference) }
        page.bytes.storeBytes(of: UInt16(GTF_permit_access) | UInt16(GTF_reading), toByteOffset: offset, as: UInt16.self)
        #expect(throws: XenError.grantInUse(reference.rawValue)) { try table.endAccess(reference) }
        #expect(table.isGranted(reference))
        // Unmapped.
        page.bytes.storeBytes(of: UInt16(GTF_permit_access), toByteOffset: offset, as: UInt16.self)
        try table.endAccess(reference)
        #expect(flags(page, reference) == 0)
        #expect(!table.isGranted(reference))
        #expect(throws: XenError.invalidGrantReference(reference.rawValue)) { try table.endAccess(reference) }
    }

    @Test func referencesAreReused() throws {
        let page = SharedPage()
        let table = GrantTable(entries: page.bytes, count: 10)
        let first = try table.grantAccess(domain: 0, frame: 1, readOnly: true)
        let second = try table.grantAccess(domain: 0, frame: 2, readOnly: true)
        #expect(throws: XenError.grantTableFull) { _ = try table.grantAccess(domain: 0, frame: 3, readOnly: true) }
        try table.endAccess(first)
        #expect(try table.grantAccess(domain: 0, frame: 4, readOnly: true) == first)
        _ = second
    }

    @Test func invalidReferences() throws {
        let page = SharedPage()
        let table = GrantTable(entries: page.bytes, count: 10)
        #expect(throws: XenError.invalidGrantReference(0)) { try table.endAccess(GrantReference(rawValue: 0)) }
        #expect(throws: XenError.invalidGrantReference(9)) { try table.endAccess(GrantReference(rawValue: 9)) }
        #expect(throws: XenError.invalidGrantReference(1000)) { try table.endAccess(GrantReference(rawValue: 1000)) }
        #expect(GrantTable(entries: page.bytes, count: 4).freeCount == 0)
    }

    @Test func reservedEntriesAreLeftAlone() throws {
        let page = SharedPage()
        page.bytes.initializeMemory(as: UInt8.self, repeating: 0xEE, count: 4096)
        _ = GrantTable(entries: page.bytes, count: 16)
        #expect(page.bytes.load(fromByteOffset: 0, as: UInt64.self) == 0xEEEE_EEEE_EEEE_EEEE)
        #expect(page.bytes.load(fromByteOffset: 63, as: UInt8.self) == 0xEE)
        #expect(page.bytes.load(fromByteOffset: 64, as: UInt64.self) == 0)
    }
}
