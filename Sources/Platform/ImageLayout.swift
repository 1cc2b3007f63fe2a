/// Where the linker put the image's parts (linker-scripts/armv7-image.ld), as addresses.
import ARMBoot

public enum ImageLayout {
    public static var start: UInt { UInt(seal_image_start()) }
    public static var textEnd: UInt { UInt(seal_text_end()) }
    public static var rodataEnd: UInt { UInt(seal_rodata_end()) }
    public static var dataStart: UInt { UInt(seal_data_start()) }
    public static var stackGuard: UInt { UInt(seal_stack_guard()) }
    public static var supervisorStackBottom: UInt { UInt(seal_supervisor_stack_bottom()) }
    public static var supervisorStackTop: UInt { UInt(seal_supervisor_stack_top()) }
    public static var heapStart: UInt { UInt(seal_heap_start()) }
    public static var end: UInt { UInt(seal_image_end()) }
    public static var pageTable: UInt { UInt(seal_page_table()) }
    public static var secondLevelTables: UInt { UInt(seal_second_level_tables()) }
    public static var pageTableEnd: UInt { UInt(seal_page_table_end()) }

    /// True when `address` lies in the executable text (used to vet backtrace entries).
    public static func isText(_ address: UInt) -> Bool { address >= start && address < textEnd }
}
