/// The fuzzed blkback: the vbd handshake and blkif responses over a RAM disk, honest or reordered, stashed and lied about by the input.
import XenABI
import Xen

extension FuzzBackend {
    /// Follows the XenBus handshake; serves the ring while honest.
    func blockStep() {
        if blockRing == nil, !blockAbandoned, services.value(Self.blockFront + Array("/state".utf8)) == Array("3".utf8),
           services.value(Self.blockBack + Array("/state".utf8)) == Array("2".utf8) {
            connectBlock()
        }
        guard honestBlock, let ring = blockRing else { return }
        var answered = false
        while let request = ring.takeRequest(blkif_request_t.self) {
            ring.respond(perform(request, fill: true, checked: !ring.clobbered))
            answered = true
        }
        if answered { raise(blockPort) }
    }

    /// Maps the ring blkfront published (io/blkif.h keys), publishes the disk's properties it does not
    /// have yet (the fuzzer may have set or deleted them) and goes Connected.
    func connectBlock() {
        guard let domain = number(Self.blockFront + Array("/backend-id".utf8)), domain < 0x7ff0,
              let reference = number(Self.blockFront + Array("/ring-ref".utf8)), reference <= UInt32.max,
              let page = services.map(UInt32(reference), domain: UInt16(domain), writable: true),
              let port = number(Self.blockFront + Array("/event-channel".utf8)), port <= UInt32.max,
              services.unboundPorts[UInt32(port)] == UInt16(domain),
              services.value(Self.blockFront + Array("/protocol".utf8)) == Array("arm-abi".utf8) else { return }
        guard let geometry = try? SharedRingGeometry(request: blkif_request_t.self, response: blkif_response_t.self) else {
            fatalError("blkif geometry")
        }
        blockRing = ModelRing(page: page, geometry: geometry)
        blockDomain = UInt16(domain)
        blockPort = UInt32(port)
        for (key, value) in [("/sectors", "2048"), ("/sector-size", "512"), ("/info", "0"), ("/feature-flush-cache", "1")] {
            let path = Self.blockBack + Array(key.utf8)
            if services.value(path) == nil { services.set(path, Array(value.utf8)) }
        }
        services.set(Self.blockBack + Array("/state".utf8), Array("4".utf8))
    }

    /// Op 9: n blkif responses; per response a mutation byte: 1 id, 2 status, 4 operation, 8 without a
    /// request, 16 leave a read's pages unfilled, 32 stash the request (no response), 64 answer a stashed one.
    func blockResponses() {
        let count = Int(input.byte() % 8) + 1
        guard let ring = blockRing else { return }
        for _ in 0..<count {
            let mutation = input.byte()
            var response = blkif_response_t()
            var took = true
            if mutation & 64 != 0, !stash.isEmpty {
                let request = stash.remove(at: Int(input.byte()) % stash.count)
                response = perform(request, fill: mutation & 16 == 0, checked: !ring.clobbered)
            } else if mutation & 8 == 0, let request = ring.takeRequest(blkif_request_t.self) {
                if mutation & 32 != 0 {
                    if stash.count < 64 { stash.append(request) }
                    continue
                }
                response = perform(request, fill: mutation & 16 == 0, checked: !ring.clobbered)
            } else {
                took = false
            }
            if mutation & 0x1f != 0 || !took { dishonest = true }
            if mutation & 1 != 0 { response.id = input.word64() }
            if mutation & 2 != 0 { response.status = Int16(bitPattern: input.word16()) }
            if mutation & 4 != 0 { response.operation = input.byte() }
            ring.respond(response)
        }
        raise(blockPort)
    }

    /// The pattern of the simulated disk: byte `offset` (in bytes from the disk's start).
    static func pattern(_ offset: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: (offset >> 9) &* 7 &+ offset &* 13)
    }

    /// Checks a request as blkback must, does it, and returns the honest response. A request that fails
    /// the checks is a frontend bug, unless `checked` is false (the backend clobbered its ring): then it
    /// gets BLKIF_RSP_ERROR.
    func perform(_ request: blkif_request_t, fill: Bool, checked: Bool) -> blkif_response_t {
        var response = blkif_response_t()
        response.id = request.id
        response.operation = request.operation
        response.status = Int16(BLKIF_RSP_OKAY)
        func refuse(_ problem: StaticString) -> blkif_response_t {
            if checked { fatalError(problem.description) }
            response.status = Int16(BLKIF_RSP_ERROR)
            return response
        }
        guard request.handle == 0 else { return refuse("blkfront: wrong handle") }
        switch Int32(request.operation) {
        case BLKIF_OP_FLUSH_DISKCACHE:
            guard request.nr_segments == 0, !blockReadOnly else { return refuse("blkfront: malformed flush") }
            return response
        case BLKIF_OP_READ, BLKIF_OP_WRITE:
            break
        default:
            return refuse("blkfront: unknown operation")
        }
        let writing = Int32(request.operation) == BLKIF_OP_WRITE
        guard request.nr_segments >= 1, request.nr_segments <= 11, !(writing && blockReadOnly) else {
            return refuse("blkfront: malformed request")
        }
        var pages: [(UnsafeMutableRawPointer, Int, Int)] = []
        var segments = request.seg
        withUnsafeBytes(of: &segments) { raw in
            for index in 0..<Int(request.nr_segments) {
                let segment = raw.load(fromByteOffset: index * MemoryLayout<blkif_request_segment>.stride,
                                       as: blkif_request_segment.self)
                guard segment.first_sect <= segment.last_sect, segment.last_sect < 8,
                      let page = services.map(segment.gref, domain: blockDomain, writable: true) else { return }
                pages.append((page, Int(segment.first_sect) * 512, (Int(segment.last_sect) - Int(segment.first_sect) + 1) * 512))
            }
        }
        guard pages.count == Int(request.nr_segments) else { return refuse("blkfront: bad segment") }
        let total = UInt64(pages.reduce(0) { $0 + $1.2 })
        let (first, overflow) = request.sector_number.multipliedReportingOverflow(by: 512)
        if overflow { return refuse("blkfront: request beyond the disk") }
        if let limit = blockWireSectors, request.sector_number >= limit || total > (limit - request.sector_number) * 512 {
            return refuse("blkfront: request beyond the disk")
        }
        var offset = first
        for (page, start, count) in pages {
            for byte in 0..<count {
                let expected = Self.pattern(offset &+ UInt64(byte))
                if writing {
                    if checked && !dishonest && page.load(fromByteOffset: start + byte, as: UInt8.self) != expected {
                        fatalError("blkfront: wrote the wrong bytes")
                    }
                } else if fill {
                    page.storeBytes(of: expected, toByteOffset: start + byte, as: UInt8.self)
                }
            }
            offset &+= UInt64(count)
        }
        return response
    }
}
