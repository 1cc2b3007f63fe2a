/// The host board's command line: the process arguments after the program name, joined by spaces into one lasting buffer.
struct HostArguments {
    /// The words, space-separated, with no terminator; valid for the life of the process.
    let commandLine: UnsafeRawBufferPointer
    let words: [String]

    init(_ arguments: [String] = CommandLine.arguments) {
        words = Array(arguments.dropFirst())
        let joined = Array(words.joined(separator: " ").utf8)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(joined.count, 1), alignment: 1)
        joined.withUnsafeBytes { storage.copyMemory(from: $0) }
        commandLine = UnsafeRawBufferPointer(rebasing: storage[0..<joined.count])
    }

    /// The value of the last `key=value` word (a later word overrides, as on a kernel command line).
    /// Whether the bare word `flag` was given.
    func contains(_ flag: String) -> Bool { words.contains(flag) }

    func value(of key: String) -> String? {
        let prefix = key + "="
        guard let word = words.last(where: { $0.hasPrefix(prefix) }) else { return nil }
        return String(word.dropFirst(prefix.count))
    }
}
