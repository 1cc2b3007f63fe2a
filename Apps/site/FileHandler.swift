/// `site`'s requests: GET and HEAD of files (with Range) and folders (an index), PUT and DELETE when writable.
import Capabilities
import FAT
import HTTP
import Network
import WebServer

struct FileHandler<Volume: BlockDevice>: HTTPStreamingHandler {
    let fileSystem: FATFileSystem<Volume>
    let writable: Bool
    /// PUTs in progress, indexed by `HTTPRequest.connection`.
    var uploads: ConnectionTable<Upload>

    /// Eight connections; uploads stream to the disk, so any size FAT allows (4 GiB - 1) is taken.
    static var serverLimits: HTTPServerLimits {
        var limits = HTTPServerLimits()
        limits.connections = 8
        limits.sendBufferLength = 16 * 1024
        limits.http.maximumBodyLength = 4096
        limits.http.maximumStreamedBodyLength = 1 << 30
        return limits
    }

    static func networkLimits(memoryBudget: Int) -> NetworkLimits {
        var limits = NetworkLimits(memoryBudget: memoryBudget, tcpConnections: 2 * serverLimits.connections)
        limits.tcpBacklog = 8
        return limits
    }

    init(fileSystem: FATFileSystem<Volume>, writable: Bool, connections: Int) {
        self.fileSystem = fileSystem
        self.writable = writable
        uploads = ConnectionTable(connections: connections)
    }

    // MARK: GET and HEAD

    /// One path walk per file: `open` gives the size and the handle the content is read through.
    mutating func streamedResponse(to request: HTTPRequest) -> HTTPStreamedResponse<FileBody<Volume>>? {
        guard request.method == .get || request.method == .head,
              let path = PercentEncoding.decode(request.path) else { return nil }
        // Nil for the root (which has no entry to open) and for a path that does not exist.
        let opened = try? fileSystem.open(path)
        if let file = opened, !file.isDirectory { return fileResponse(path, file, request: request) }
        // A folder: its index.html, else a listing (which also fails for a missing path: 404).
        let index = path + (path.last == UInt8(ascii: "/") ? [] : [UInt8(ascii: "/")]) + Array("index.html".utf8)
        if let page = try? fileSystem.open(index), !page.isDirectory {
            return fileResponse(index, page, request: request)
        }
        guard let entries = try? fileSystem.list(path) else { return nil }
        let html = DirectoryIndex.page(path: path, entries: entries)
        return HTTPStreamedResponse(contentType: "text/html; charset=utf-8", contentLength: html.count,
                                    body: .bytes(html))
    }

    /// The whole file, or the part a Range field asks for; nil (answered by `respond`) when the
    /// range cannot be satisfied.
    func fileResponse(_ path: [UInt8], _ file: FATFile, request: HTTPRequest) -> HTTPStreamedResponse<FileBody<Volume>>? {
        let size = UInt64(file.size)
        var first: UInt64 = 0
        var length = size
        var range: HTTPContentRange? = nil
        switch ByteRange.resolve(request.header("Range"), length: size) {
        case .whole:
            break
        case .part(let start, let last):
            first = start
            length = last - start + 1
            range = HTTPContentRange(first: start, last: last, completeLength: size)
        case .unsatisfiable:
            return nil
        }
        var response = HTTPStreamedResponse(status: range == nil ? .ok : .partialContent,
                                            contentType: ContentType.of(path), contentLength: Int(length),
                                            body: FileBody<Volume>.file(fileSystem, file, start: first))
        response.acceptsRanges = true
        response.contentRange = range
        return response
    }

    // MARK: PUT content

    /// A writable PUT streams into the file, created (with its folders) or emptied first;
    /// anything the site cannot take is read and dropped, then refused in `respond`.
    mutating func contentHandling(for request: HTTPRequest) -> HTTPContentHandling {
        let connection = request.connection
        uploads[connection] = nil
        guard writable, request.method == .put, let path = PercentEncoding.decode(request.path) else { return .discard }
        guard let upload = startUpload(path) else { return .discard }
        uploads[connection] = upload
        return .stream
    }

    func startUpload(_ path: [UInt8]) -> Upload? {
        guard path.last != UInt8(ascii: "/") else { return nil }
        let existed = (try? fileSystem.exists(path)) ?? false
        var end = path.count
        while end > 0 && path[end - 1] != UInt8(ascii: "/") { end -= 1 }
        do throws(FATError) {
            if end > 1 { try fileSystem.makeDirectories(Array(path[..<(end - 1)])) }
            let file = try fileSystem.openOrCreate(path, truncating: true)
            guard !file.isDirectory else { return nil }
            return Upload(file: file, created: !existed)
        } catch {
            return nil
        }
    }

    mutating func receiveContent(_ bytes: UnsafeRawBufferPointer, connection: Int) {
        uploads[connection]?.receive(bytes, into: fileSystem)
    }

    mutating func connectionEnded(_ connection: Int) {
        uploads[connection] = nil
    }

    // MARK: Everything answered from a buffer

    mutating func respond(to request: HTTPRequest, with response: inout HTTPResponseWriter) {
        guard let path = PercentEncoding.decode(request.path) else {
            return response.respond(status: .badRequest, contentType: "text/plain", body: "malformed path\n")
        }
        switch request.method {
        case .get, .head:
            respondToRead(path, request: request, with: &response)
        case .put where writable:
            finishUpload(path, connection: request.connection, with: &response)
        case .delete where writable:
            delete(path, with: &response)
        default:
            methodNotAllowed(with: &response)
        }
    }

    /// Only failures of GET and HEAD get here; successes were streamed.
    func respondToRead(_ path: [UInt8], request: HTTPRequest, with response: inout HTTPResponseWriter) {
        let info: FATFileInfo
        do {
            info = try fileSystem.stat(path)
        } catch {
            return respond(to: error, with: &response)
        }
        if !info.isDirectory, case .unsatisfiable = ByteRange.resolve(request.header("Range"), length: UInt64(info.size)) {
            // RFC 9110 §14.4: a 416 says the current length as "*/length".
            let reason = HTTPStatus.rangeNotSatisfiable.reason
            response.writeHead(status: .rangeNotSatisfiable, contentLength: reason.utf8CodeUnitCount + 1,
                               contentType: "text/plain")
            var value: [UInt8] = Array("bytes */".utf8)
            DirectoryIndex.appendDecimal(UInt64(info.size), to: &value)
            value.withUnsafeBytes { response.writeHeader("Content-Range", $0) }
            response.writeBody(reason)
            response.writeBody("\n")
            return
        }
        response.respond(status: .internalServerError, contentType: "text/plain", body: "cannot read from the disk\n")
    }

    /// RFC 9110 §9.3.4: 201 for a new file, 204 for a replaced one, sent once the data is on the disk.
    mutating func finishUpload(_ path: [UInt8], connection: Int, with response: inout HTTPResponseWriter) {
        guard var upload = uploads[connection] else {
            return response.respond(status: .conflict, contentType: "text/plain",
                                    body: "cannot write there (a folder, or a name FAT does not allow)\n")
        }
        uploads[connection] = nil
        upload.writePending(into: fileSystem)
        if upload.failure == nil {
            do throws(FATError) { try fileSystem.sync() } catch { upload.failure = error }
        }
        if let failure = upload.failure { return respond(to: failure, with: &response) }
        response.respond(status: upload.created ? .created : .noContent)
    }

    /// Removes a file, or an empty folder, then flushes.
    func delete(_ path: [UInt8], with response: inout HTTPResponseWriter) {
        do throws(FATError) {
            let info = try fileSystem.stat(path)
            if info.isDirectory { try fileSystem.removeDirectory(path) } else { try fileSystem.remove(path) }
            try fileSystem.sync()
        } catch {
            return respond(to: error, with: &response)
        }
        response.respond(status: .noContent)
    }

    func respond(to error: FATError, with response: inout HTTPResponseWriter) {
        switch error {
        case .notFound, .notADirectory:
            response.respond(status: .notFound)
        case .invalidName, .invalidOperation:
            response.respond(status: .badRequest, contentType: "text/plain", body: "not a name FAT allows\n")
        case .directoryNotEmpty, .isADirectory, .alreadyExists:
            response.respond(status: .conflict, contentType: "text/plain", body: "conflicts with a folder\n")
        case .noSpace, .directoryFull, .fileTooLarge:
            response.respond(status: .insufficientStorage, contentType: "text/plain", body: "the disk is full\n")
        default:
            response.respond(status: .internalServerError, contentType: "text/plain", body: "disk or file-system error\n")
        }
    }

    /// RFC 9110 §15.5.6: a 405 lists the allowed methods.
    func methodNotAllowed(with response: inout HTTPResponseWriter) {
        var allowed = HTTPMethodSet(.get)
        allowed.insert(.head)
        if writable {
            allowed.insert(.put)
            allowed.insert(.delete)
        }
        response.respondMethodNotAllowed(allowing: allowed)
    }
}
