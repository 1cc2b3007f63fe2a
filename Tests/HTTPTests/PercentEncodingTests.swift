// Percent-decoding of paths and queries, and encoding for links, including the malformed cases.
import Testing
import HTTP

@Suite struct PercentEncodingTests {
    func decode(_ text: String) -> String? {
        Array(text.utf8).withUnsafeBytes { PercentEncoding.decode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func decodesEscapesAndKeepsPlus() {
        #expect(decode("/a%20b/%C3%A9t%c3%a9+x") == "/a b/été+x")
        #expect(decode("") == "")
    }

    @Test func refusesMalformedAndNul() {
        #expect(decode("%") == nil)
        #expect(decode("%4") == nil)
        #expect(decode("%zz") == nil)
        #expect(decode("a%00b") == nil)
    }

    @Test func encodesAllButUnreserved() {
        var output: [UInt8] = []
        PercentEncoding.encode(Array("a b/é~".utf8), keepingSlashes: true, into: &output)
        #expect(String(decoding: output, as: UTF8.self) == "a%20b/%C3%A9~")
        output = []
        PercentEncoding.encode(Array("a/b".utf8), keepingSlashes: false, into: &output)
        #expect(String(decoding: output, as: UTF8.self) == "a%2Fb")
    }

    @Test func findsQueryValues() {
        func value(_ name: StaticString, _ query: String) -> String? {
            Array(query.utf8).withUnsafeBytes { PercentEncoding.queryValue(name, in: $0) }
                .map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(value("prefix", "prefix=us%2Fer") == "us/er")
        #expect(value("prefix", "a=1&prefix=x&prefix=y") == "x")
        #expect(value("prefix", "prefix") == "")
        #expect(value("prefix", "prefixes=1") == nil)
        #expect(value("prefix", "") == nil)
        #expect(value("prefix", "prefix=%zz") == nil)
    }
}
