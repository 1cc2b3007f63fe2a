// Short-name generation, long-name checksums and name validation, without a disk.
import Testing
@testable import FAT

@Suite struct NameTests {
    func units(_ text: String) -> [UInt16] { Array(text.utf16) }
    func short(_ name: [UInt8]) -> String { String(decoding: name, as: UTF8.self) }

    @Test func exactShortNames() {
        #expect(ShortName.exact(units("README.TXT")).map(short) == "README  TXT")
        #expect(ShortName.exact(units("readme.txt")).map(short) == "README  TXT")
        #expect(ShortName.exact(units("A")).map(short) == "A          ")
        #expect(ShortName.exact(units("LONGERNAME.TXT")) == nil)
        #expect(ShortName.exact(units("A.TEXT")) == nil)
        #expect(ShortName.exact(units("A.B.C")) == nil)
        #expect(ShortName.exact(units(".HIDDEN")) == nil)
        #expect(ShortName.exact(units("A B")) == nil)
        #expect(!ShortName.needsLongName(units("README.TXT")))
        #expect(ShortName.needsLongName(units("readme.txt")))
        #expect(ShortName.needsLongName(units("Read me.txt")))
    }

    @Test func basisNames() {
        let readMe = ShortName.basis(units("Read me.txt"))
        #expect(short(readMe.name) == "README  TXT" && readMe.lossy)
        let long = ShortName.basis(units("longfilename.text"))
        #expect(short(long.name) == "LONGFILETEX" && long.lossy)
        let dots = ShortName.basis(units("a.b.c.txt"))
        #expect(short(dots.name) == "ABC     TXT" && dots.lossy)
        let accent = ShortName.basis(units("café.txt"))
        #expect(short(accent.name) == "CAF_    TXT" && accent.lossy)
        let lower = ShortName.basis(units("mixed.Txt"))
        #expect(short(lower.name) == "MIXED   TXT" && !lower.lossy)
        #expect(short(ShortName.withTail(long.name, number: 1)) == "LONGFI~1TEX")
        #expect(short(ShortName.withTail(long.name, number: 12345)) == "LO~12345TEX")
        #expect(short(ShortName.withTail(ShortName.basis(units("ab")).name, number: 3)) == "AB~3       ")
    }

    @Test func checksumMatchesSpecExample() {
        // The spec's algorithm on "README  TXT", computed by hand.
        var sum: UInt8 = 0
        for byte in Array("README  TXT".utf8) { sum = (sum & 1) << 7 &+ (sum >> 1) &+ byte }
        #expect(LongName.checksum(Array("README  TXT".utf8)[0..<11]) == sum)
        #expect(LongName.checksum(Array("FOO     BAR".utf8)[0..<11]) != sum)
    }

    @Test func longNameEntriesPadWithFFFF() {
        let name = units("abcdefghijklmnop")   // 16 units: two pieces
        #expect(LongName.entryCount(name) == 2)
        let second = LongName.entry(name, sequence: 2, checksum: 0x42)
        #expect(second[0] == 0x42 && second[11] == 0x0F && second[13] == 0x42)
        let piece = LongName.units(of: second, at: 0)
        #expect(Array(piece[0..<3]) == units("nop"))
        #expect(piece[3] == 0 && piece[4] == 0xFFFF && piece[12] == 0xFFFF)
        let first = LongName.entry(name, sequence: 1, checksum: 0x42)
        #expect(first[0] == 0x01)
    }

    @Test func validation() throws {
        #expect(try LongName.validated(Array("Hello wörld.txt".utf8)) == units("Hello wörld.txt"))
        #expect(try LongName.validated(Array("😀".utf8)) == units("😀"))
        for bad in ["", ".", "..", "a:b", "a*", "trailing.", "trailing ", "tab\there", "q?", "pipe|", "back\\slash"] {
            #expect(throws: FATError.invalidName) { try LongName.validated(Array(bad.utf8)) }
        }
        for bad: [UInt8] in [[0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xFF], [0xF4, 0x90, 0x80, 0x80]] {
            #expect(throws: FATError.invalidName) { try LongName.validated(bad) }
        }
        #expect(throws: FATError.invalidName) { try LongName.validated([UInt8](repeating: 0x61, count: 256)) }
    }

    @Test func utf16RoundTrip() {
        let text = "aé€😀z"
        let utf16 = UnicodeText.utf16(fromUTF8: Array(text.utf8))
        #expect(utf16 == Array(text.utf16))
        #expect(UnicodeText.utf8(fromUTF16: Array(text.utf16)) == Array(text.utf8))
        #expect(UnicodeText.utf8(fromUTF16: [0xD800, 0x41]) == [0xEF, 0xBF, 0xBD, 0x41])
        #expect(UnicodeText.equalIgnoringCase(units("Éte.TXT"), units("éTE.txt")))
    }
}
