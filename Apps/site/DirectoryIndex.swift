/// The HTML page listing a folder: its subfolders and files with sizes, linked by absolute, percent-encoded paths.
import FAT
import HTTP

enum DirectoryIndex {
    /// The page for the folder at `path` (decoded, "/" for the root) holding `entries`.
    static func page(path: [UInt8], entries: [FATFileInfo]) -> [UInt8] {
        var folder = path
        if folder.last != UInt8(ascii: "/") { folder.append(UInt8(ascii: "/")) }
        var html: [UInt8] = []
        html.reserveCapacity(256 + entries.count * 96)
        append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Index of ", to: &html)
        appendEscaped(folder, to: &html)
        append("</title>\n</head>\n<body>\n<h1>Index of ", to: &html)
        appendEscaped(folder, to: &html)
        append("</h1>\n<ul>\n", to: &html)
        if folder.count > 1 {
            append("<li><a href=\"", to: &html)
            var parent = folder
            parent.removeLast()
            while parent.last != UInt8(ascii: "/") { parent.removeLast() }
            PercentEncoding.encode(parent, keepingSlashes: true, into: &html)
            append("\">../</a></li>\n", to: &html)
        }
        for entry in entries {
            append("<li><a href=\"", to: &html)
            PercentEncoding.encode(folder + entry.name + (entry.isDirectory ? [UInt8(ascii: "/")] : []),
                                   keepingSlashes: true, into: &html)
            append("\">", to: &html)
            appendEscaped(entry.name, to: &html)
            if entry.isDirectory {
                append("/</a></li>\n", to: &html)
            } else {
                append("</a> ", to: &html)
                appendDecimal(UInt64(entry.size), to: &html)
                append(" bytes</li>\n", to: &html)
            }
        }
        append("</ul>\n</body>\n</html>\n", to: &html)
        return html
    }

    static func append(_ text: StaticString, to html: inout [UInt8]) {
        html.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Text with the five characters HTML gives meaning to replaced by references.
    static func appendEscaped(_ text: [UInt8], to html: inout [UInt8]) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): append("&amp;", to: &html)
            case UInt8(ascii: "<"): append("&lt;", to: &html)
            case UInt8(ascii: ">"): append("&gt;", to: &html)
            case UInt8(ascii: "\""): append("&quot;", to: &html)
            case UInt8(ascii: "'"): append("&#39;", to: &html)
            default: html.append(byte)
            }
        }
    }

    static func appendDecimal(_ value: UInt64, to html: inout [UInt8]) {
        var digits: [UInt8] = []
        var remaining = value
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(remaining % 10))
            remaining /= 10
        } while remaining != 0
        html.append(contentsOf: digits.reversed())
    }
}
