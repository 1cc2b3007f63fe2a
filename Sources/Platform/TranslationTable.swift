/// The final page table: RAM and MMIO from the device tree, the image mapped page by page so it can be sealed.
import ARMBoot

public enum TranslationTableError: Error {
    case imageTooLarge
}

public struct TranslationTable {
    private let first: UnsafeMutablePointer<UInt32>
    private var secondLevelUsed = 0
    private let secondLevelCapacity: Int

    /// The table in the linker-reserved area (16 KiB aligned), emptied.
    public init() {
        first = UnsafeMutablePointer(bitPattern: ImageLayout.pageTable)!
        first.initialize(repeating: 0, count: 4096)
        secondLevelCapacity = Int(ImageLayout.pageTableEnd - ImageLayout.secondLevelTables) / 1024
    }

    /// Maps [start, start + size) one-to-one with 1 MiB sections, rounding outwards.
    /// Sections already mapped are left as they are (RAM wins over a device window that overlaps it).
    public mutating func mapSections(start: UInt64, size: UInt64, _ access: MemoryAccess) {
        guard size > 0, start < 0x1_0000_0000 else { return }
        let end = min(start &+ size, 0x1_0000_0000)
        var index = Int(start >> 20)
        let last = Int((end - 1) >> 20)
        while index <= last {
            if first[index] == 0 {
                first[index] = ShortDescriptor.section(physical: UInt32(index) << 20, access)
            }
            index += 1
        }
    }

    /// Remaps the sections holding the image with 4 KiB pages: text executable and read-only,
    /// rodata read-only, everything else execute-never, and the stack guard page absent.
    public mutating func sealImage() throws(TranslationTableError) {
        let firstSection = Int(ImageLayout.start >> 20)
        let lastSection = Int((ImageLayout.supervisorStackBottom - 1) >> 20)
        for section in firstSection...lastSection {
            guard secondLevelUsed < secondLevelCapacity else { throw .imageTooLarge }
            let table = UnsafeMutablePointer<UInt32>(bitPattern: ImageLayout.secondLevelTables + UInt(secondLevelUsed) * 1024)!
            secondLevelUsed += 1
            for page in 0..<256 {
                let address = UInt(section) << 20 | UInt(page) << 12
                table[page] = Self.pageEntry(address)
            }
            first[section] = ShortDescriptor.coarseTable(physical: UInt32(UInt(bitPattern: table)))
        }
    }

    private static func pageEntry(_ address: UInt) -> UInt32 {
        let physical = UInt32(address)
        if address >= ImageLayout.start && address < ImageLayout.textEnd {
            return ShortDescriptor.smallPage(physical: physical, .text)
        }
        if address >= ImageLayout.start && address < ImageLayout.dataStart {
            return ShortDescriptor.smallPage(physical: physical, .readOnly)
        }
        if address == ImageLayout.stackGuard { return 0 }
        return ShortDescriptor.smallPage(physical: physical, .readWrite)
    }

    /// Makes the table visible to the walker and switches to it.
    public func activate() {
        var line = ImageLayout.pageTable
        while line < ImageLayout.pageTableEnd {
            arm_clean_data_cache_line(line)
            line += 32
        }
        arm_data_synchronization_barrier()
        arm_write_ttbr0(UInt32(ImageLayout.pageTable) | 0x4a)
        arm_invalidate_tlb()
        // SCTLR.WXN (B4.1.130), where the virtualization extensions provide it: any writable
        // page is execute-never whatever its entry says.
        if (arm_read_id_pfr1() >> 12) & 0xf != 0 {
            arm_write_sctlr(arm_read_sctlr() | (1 << 19))
            arm_invalidate_tlb()
        }
    }
}
