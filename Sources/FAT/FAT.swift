/// The FAT module: FAT12, FAT16 and FAT32 file systems on any `BlockDevice`.
//
// Entry point: `FATFileSystem(device:)` mounts the volume that starts at sector 0 of the device.
// Paths and names are UTF-8 bytes with `/` separators; long names are VFAT (UTF-16LE pieces).
//
// No-trap contract: every on-disk structure (boot sector, FAT entries, directory entries, long
// name pieces) is checked before use. A malformed image gives a `FATError`, never a trap, and
// every chain walk is bounded by the volume's cluster count, so a loop gives `.clusterLoop`.
//
// On-disk layout (Microsoft "FAT: General Overview of On-Disk Format" 1.03):
//
//     sector 0                   boot sector with the BPB (section 3)
//     1 (FAT32)                  FSInfo: free cluster count and next-free hint (section 5)
//     reserved                   FAT copy 0, copy 1, ...: one entry per cluster, 12/16/32 bits
//     + fats * fatSize           FAT12/16 only: the fixed root directory, rootEntries * 32 bytes
//     firstDataSector            cluster 2, cluster 3, ... (`sectorsPerCluster` sectors each)
//
// A directory is an array of 32-byte entries (section 6); a long name precedes its short entry
// as pieces of 13 UTF-16 units in reverse order, each carrying the short name's checksum
// (section 7). Example: "Read me.txt" is stored as one long-name entry (0x41, "Read me.txt")
// followed by the short entry "README~1TXT".
