/// The three FAT variants, told apart only by cluster count (Microsoft FAT spec 3.5).

public enum FATType: Equatable, Sendable {
    case fat12
    case fat16
    case fat32

    /// The variant for a volume with `clusterCount` data clusters.
    public init(clusterCount: UInt32) {
        if clusterCount < 4085 {
            self = .fat12
        } else if clusterCount < 65525 {
            self = .fat16
        } else {
            self = .fat32
        }
    }

    /// Entry values at or above this end a chain.
    var endOfChainMinimum: UInt32 {
        switch self {
        case .fat12: return 0xFF8
        case .fat16: return 0xFFF8
        case .fat32: return 0x0FFF_FFF8
        }
    }

    /// The value written to end a chain.
    var endOfChain: UInt32 {
        switch self {
        case .fat12: return 0xFFF
        case .fat16: return 0xFFFF
        case .fat32: return 0x0FFF_FFFF
        }
    }

    /// Bits per FAT entry, times two (FAT12 entries are a byte and a half).
    var doubledEntryBytes: UInt64 {
        switch self {
        case .fat12: return 3
        case .fat16: return 4
        case .fat32: return 8
        }
    }
}
