/// Whether the process is sealed: no mapping in /proc/self/maps is both writable and executable.
import Glibc

enum HostSealCheck {
    static func isSealed() -> Bool {
        guard let file = fopen("/proc/self/maps", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        var sawMapping = false
        while fgets(&line, Int32(line.count), file) != nil {
            // "start-end perms offset dev inode path": perms is the second field, e.g. "r-xp".
            guard let space = line.firstIndex(of: 0x20), space + 3 < line.count else { continue }
            sawMapping = true
            if line[space + 2] == 0x77 /* w */ && line[space + 3] == 0x78 /* x */ { return false }
        }
        return sawMapping
    }
}
