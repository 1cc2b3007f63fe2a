/// Verifies, from the live page table the MMU walks, that the image is sealed.
import ARMBoot

public enum SealCheck {
    /// True when the MMU is on, no mapping anywhere is both writable and executable, and every
    /// page of the image's text is read-only.
    public static func isSealed() -> Bool {
        guard arm_read_sctlr() & 1 != 0 else { return false }
        let base = UInt(arm_read_ttbr0() & 0xffff_c000)
        guard let first = UnsafePointer<UInt32>(bitPattern: base) else { return false }
        for index in 0..<4096 {
            let entry = first[index]
            switch entry & 0b11 {
            case ShortDescriptor.sectionType:
                if ShortDescriptor.sectionIsWritableAndExecutable(entry) { return false }
                if sectionHoldsText(index) && entry & ShortDescriptor.sectionReadOnly == 0 { return false }
            case ShortDescriptor.coarseTableType:
                guard let second = UnsafePointer<UInt32>(bitPattern: UInt(entry & 0xffff_fc00)) else { return false }
                for page in 0..<256 {
                    let pageEntry = second[page]
                    if ShortDescriptor.pageIsWritableAndExecutable(pageEntry) { return false }
                    let address = UInt(index) << 20 | UInt(page) << 12
                    if ImageLayout.isText(address) && pageEntry & ShortDescriptor.pageReadOnly == 0 { return false }
                }
            default:
                continue
            }
        }
        return true
    }

    private static func sectionHoldsText(_ index: Int) -> Bool {
        let start = UInt(index) << 20
        return start < ImageLayout.textEnd && start + 0x10_0000 > ImageLayout.start
    }
}
