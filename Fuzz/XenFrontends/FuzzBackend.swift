/// The backends (netback, blkback, xenconsoled) the frontends face: honest by default, every move they make chosen by the fuzzer's bytes.
///
/// Each `wait` is one turn: first the honest part (follow the XenBus handshake; while honest, answer
/// every request correctly and drain the console), then up to 64 fuzzer ops
/// until an `end` op. Ops (op byte % 17):
///
/// ```
/// 0  end turn (the wait lasts until its deadline)      1 t   end turn early after t µs (an event woke us)
/// 2 k v... set store key k (delete, decimals, raw)     3 s   backend state (bit 0: net/block, rest: 0...8)
/// 4 p   raise a port                                   5 e   clock += 2^(e % 41) ns
/// 6 h   honesty bits (net, block, console)             7     net tx responses (n, then per response: mutation, fields)
/// 8     net rx responses (frames)                      9     blkif responses (reorder, lie, stash)
/// 10    a ring index (rsp_prod, req_event)             11    console out_cons
/// 12    console input (bytes, or raw in_prod)          13    store reads fail          14  store writes fail
/// 15    mark a grant in use                            16    fail the next port allocation / bind
/// ```
import XenABI
import Xen

final class FuzzBackend {
    unowned let services: FuzzServices
    let input: FuzzInput

    static let netFront = Array("device/vif/0".utf8)
    static let netBack = Array("/local/domain/0/backend/vif/1/0".utf8)
    static let blockFront = Array("device/vbd/0".utf8)
    static let blockBack = Array("/local/domain/0/backend/vbd/1/51712".utf8)
    /// The keys ops 2 may set, the handshake's every read.
    static let keys: [[UInt8]] = [
        netFront + Array("/backend".utf8), netFront + Array("/backend-id".utf8), netFront + Array("/mac".utf8),
        netBack + Array("/state".utf8), netBack + Array("/feature-rx-copy".utf8),
        blockFront + Array("/backend".utf8), blockFront + Array("/backend-id".utf8),
        blockBack + Array("/state".utf8), blockBack + Array("/sectors".utf8), blockBack + Array("/sector-size".utf8),
        blockBack + Array("/info".utf8), blockBack + Array("/feature-flush-cache".utf8),
    ]

    var honestNet = true
    var honestBlock = true
    var honestConsole = true
    /// A response that was not the honest answer went out since the driver last reset it (data checks off).
    var dishonest = false

    private(set) var transmitRing: ModelRing?
    private(set) var receiveRing: ModelRing?
    private(set) var netDomain: UInt16 = 0
    private(set) var netPort: UInt32 = 0
    /// Receive buffers the connected netfront has (ids must be below it).
    var receiveBufferLimit = 256

    /// Set when netfront's (blkfront's) handshake failed: the frontend withdrew its grants and is gone,
    /// so the backend unmaps its rings, as netback (blkback) does when the frontend closes.
    var netAbandoned = false {
        didSet { if netAbandoned { transmitRing = nil; receiveRing = nil } }
    }
    var blockAbandoned = false {
        didSet { if blockAbandoned { blockRing = nil; stash = [] } }
    }

    private(set) var blockRing: ModelRing?
    private(set) var blockDomain: UInt16 = 0
    private(set) var blockPort: UInt32 = 0
    /// The connected disk's size in 512-byte units and whether it is read-only, once the driver knows them.
    var blockWireSectors: UInt64?
    var blockReadOnly = false
    /// Block requests taken and not answered yet (answered later, in any order).
    private var stash: [blkif_request_t] = []

    let consolePage: UnsafeMutableRawPointer
    static let consolePort: UInt32 = 1
    private var raised: [UInt32] = []

    init(services: FuzzServices, input: FuzzInput) {
        self.services = services
        self.input = input
        consolePage = UnsafeMutableRawPointer.allocate(byteCount: XenMemory.pageSize, alignment: XenMemory.pageSize)
        consolePage.initializeMemory(as: UInt8.self, repeating: 0, count: XenMemory.pageSize)
        // What the toolstack and the backends publish before the guest looks.
        for (key, value) in [
            ("/backend", String(decoding: Self.netBack, as: UTF8.self)), ("/backend-id", "0"), ("/mac", "00:16:3e:5e:a1:01"),
        ] { services.set(Self.netFront + Array(key.utf8), Array(value.utf8)) }
        services.set(Self.netBack + Array("/state".utf8), Array("2".utf8))
        services.set(Self.netBack + Array("/feature-rx-copy".utf8), Array("1".utf8))
        services.set(Self.blockFront + Array("/backend".utf8), Self.blockBack)
        services.set(Self.blockFront + Array("/backend-id".utf8), Array("0".utf8))
        services.set(Self.blockBack + Array("/state".utf8), Array("2".utf8))
    }

    deinit {
        consolePage.deallocate()
    }

    // MARK: the turn

    /// One backend turn; returns whether the wait ends early and the ports raised.
    func turn() -> (early: Bool, raised: [UInt32]) {
        raised = []
        netStep()
        blockStep()
        if honestConsole { drainConsole() }
        var early = false
        ops: for _ in 0..<64 {
            guard !input.isExhausted else { break }
            switch input.byte() % 17 {
            case 0: break ops
            case 1:
                services.nanoseconds &+= UInt64(input.byte()) * 1000
                early = true
                break ops
            case 2: setKey()
            case 3:
                let choice = input.byte()
                let path = (choice & 1 == 0 ? Self.netBack : Self.blockBack) + Array("/state".utf8)
                services.set(path, XenStoreNumber.format(UInt64(choice >> 1) % 9))
            case 4: raise(port(input.byte()))
            case 5: services.nanoseconds &+= 1 << UInt64(input.byte() % 41)
            case 6:
                let bits = input.byte()
                honestNet = bits & 1 != 0
                honestBlock = bits & 2 != 0
                honestConsole = bits & 4 != 0
            case 7: transmitResponses()
            case 8: receiveResponses()
            case 9: blockResponses()
            case 10: ringIndex()
            case 11: consoleOutputConsumer()
            case 12: consoleInput()
            case 13:
                let choice = input.byte()
                services.failingReads = Int(choice & 3)
                services.storeError = choice & 4 == 0 ? .xenStore(.noEntry) : .xenStore(.tryAgain)
            case 14:
                let choice = input.byte()
                services.failingWrites = Int(choice & 3)
                services.storeError = choice & 4 == 0 ? .xenStore(.accessDenied) : .xenStore(.noSpace)
            case 15: services.markInUse(Int(input.word16()) % max(services.grantCount, 1))
            default:
                let choice = input.byte()
                services.failNextAllocation = choice & 1 != 0
                services.failNextBind = choice & 2 != 0
            }
        }
        return (early, raised)
    }

    private func raise(_ port: UInt32) {
        if raised.count < 256 { raised.append(port) }
    }

    private func port(_ choice: UInt8) -> UInt32 {
        switch choice & 3 {
        case 0: return netPort
        case 1: return blockPort
        case 2: return Self.consolePort
        default: return UInt32(choice >> 2)
        }
    }

    private func setKey() {
        let key = Self.keys[Int(input.byte()) % Self.keys.count]
        switch input.byte() % 6 {
        case 0: services.store[key] = nil
        case 1: services.set(key, XenStoreNumber.format(UInt64(input.byte())))
        case 2: services.set(key, XenStoreNumber.format(input.word64()))
        case 3: services.set(key, XenStoreNumber.format(UInt64(input.word16())))
        case 4: services.set(key, XenStoreNumber.format(UInt64(1) << UInt64(input.byte() % 64)))
        default: services.set(key, input.bytes(limit: 40))
        }
    }

    private func number(_ path: [UInt8]) -> UInt64? {
        services.value(path).flatMap { XenStoreNumber.parse($0) }
    }

    // MARK: netback

    /// Follows the XenBus handshake; serves the tx ring while honest.
    private func netStep() {
        if transmitRing == nil, !netAbandoned, services.value(Self.netFront + Array("/state".utf8)) == Array("4".utf8),
           services.value(Self.netBack + Array("/state".utf8)) == Array("2".utf8) {
            connectNet()
        }
        guard honestNet, let ring = transmitRing else { return }
        var answered = false
        while let request = ring.takeRequest(netif_tx_request_t.self) {
            if !ring.clobbered { checkTransmitRequest(request) }
            var response = netif_tx_response_t()
            response.id = request.id
            response.status = Int16(NETIF_RSP_OKAY)
            ring.respond(response)
            answered = true
        }
        if answered { raise(netPort) }
    }

    /// Maps the rings netfront published (io/netif.h keys) and goes Connected; a frontend that published
    /// nonsense stays unconnected (and times out).
    private func connectNet() {
        guard let domain = number(Self.netFront + Array("/backend-id".utf8)), domain < 0x7ff0,
              let transmitReference = number(Self.netFront + Array("/tx-ring-ref".utf8)),
              let receiveReference = number(Self.netFront + Array("/rx-ring-ref".utf8)),
              let port = number(Self.netFront + Array("/event-channel".utf8)),
              transmitReference <= UInt32.max, receiveReference <= UInt32.max,
              let transmitPage = services.map(UInt32(transmitReference), domain: UInt16(domain), writable: true),
              let receivePage = services.map(UInt32(receiveReference), domain: UInt16(domain), writable: true),
              port <= UInt32.max, services.unboundPorts[UInt32(port)] == UInt16(domain) else { return }
        // Both geometries are io/ring.h's __RING_SIZE for one page.
        guard let transmitGeometry = try? SharedRingGeometry(request: netif_tx_request_t.self, response: netif_tx_response_t.self),
              let receiveGeometry = try? SharedRingGeometry(request: netif_rx_request_t.self, response: netif_rx_response_t.self)
        else { fatalError("netif geometry") }
        transmitRing = ModelRing(page: transmitPage, geometry: transmitGeometry)
        receiveRing = ModelRing(page: receivePage, geometry: receiveGeometry)
        netDomain = UInt16(domain)
        netPort = UInt32(port)
        services.set(Self.netBack + Array("/state".utf8), Array("4".utf8))
    }

    /// What netback checks of a tx request, here a frontend bug if it fails: one read-only granted page, 14...1514 bytes, no flags.
    private func checkTransmitRequest(_ request: netif_tx_request_t) {
        guard services.map(request.gref, domain: netDomain, writable: false) != nil,
              !(services.map(request.gref, domain: netDomain, writable: true) != nil) else {
            fatalError("netfront: tx request with a bad grant")
        }
        guard Int(request.offset) + Int(request.size) <= XenMemory.pageSize, request.size >= 14, request.size <= 1514,
              request.flags == 0 else { fatalError("netfront: malformed tx request") }
    }

    /// Op 7: n tx responses; per response a mutation byte: 1 id, 2 status, 4 without taking a request.
    private func transmitResponses() {
        let count = Int(input.byte() % 8) + 1
        guard let ring = transmitRing else { return }
        for _ in 0..<count {
            let mutation = input.byte()
            var response = netif_tx_response_t()
            response.status = Int16(NETIF_RSP_OKAY)
            if mutation & 4 == 0, let request = ring.takeRequest(netif_tx_request_t.self) {
                if !ring.clobbered { checkTransmitRequest(request) }
                response.id = request.id
            } else {
                dishonest = true
            }
            if mutation & 1 != 0 { response.id = input.word16(); dishonest = true }
            if mutation & 2 != 0 { response.status = Int16(bitPattern: input.word16()); dishonest = true }
            ring.respond(response)
        }
        raise(netPort)
    }

    /// Op 8: n rx responses, each a frame copied into the next posted buffer; a mutation byte:
    /// 1 id, 2 offset, 4 flags, 8 raw status, 16 without taking a request.
    private func receiveResponses() {
        let count = Int(input.byte() % 8) + 1
        guard let ring = receiveRing else { return }
        for _ in 0..<count {
            let mutation = input.byte()
            let length = Int(input.word16()) % 1600
            var response = netif_rx_response_t()
            response.offset = mutation & 2 != 0 ? input.word16() : 0
            response.flags = mutation & 4 != 0 ? input.word16() : 0
            response.status = mutation & 8 != 0 ? Int16(bitPattern: input.word16()) : Int16(length)
            var took = false
            if mutation & 16 == 0, let request = ring.takeRequest(netif_rx_request_t.self) {
                took = true
                let page = services.map(request.gref, domain: netDomain, writable: true)
                if !ring.clobbered && (page == nil || Int(request.id) >= receiveBufferLimit) {
                    fatalError("netfront: rx request with a bad grant or id")
                }
                response.id = request.id
                if let page {
                    let start = min(Int(response.offset), XenMemory.pageSize)
                    let bytes = min(length, XenMemory.pageSize - start)
                    for index in 0..<bytes {
                        page.storeBytes(of: UInt8(truncatingIfNeeded: index), toByteOffset: start + index, as: UInt8.self)
                    }
                }
            }
            if mutation & 1 != 0 { response.id = input.word16() }
            if mutation & 31 != 0 || !took { dishonest = true }
            ring.respond(response)
        }
        raise(netPort)
    }

    /// Op 10: a ring's rsp_prod or req_event set, relative to the backend's own index or raw.
    private func ringIndex() {
        let choice = input.byte()
        let rings = [transmitRing, receiveRing, blockRing]
        guard let ring = rings[Int(choice & 3) % 3] else { return }
        dishonest = true
        switch (choice >> 2) & 3 {
        case 0: ring.sharedResponseProducer = input.word32()
        case 1: ring.sharedResponseProducer = ring.responseProducer &+ UInt32(bitPattern: Int32(Int8(bitPattern: input.byte())))
        case 2: ring.requestEvent = input.word32()
        default: ring.requestEvent = ring.requestConsumer &+ UInt32(input.byte())
        }
    }

    // MARK: blkback

    /// Follows the XenBus handshake; serves the ring while honest.
    private func blockStep() {
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
    private func connectBlock() {
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
    private func blockResponses() {
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
    private func perform(_ request: blkif_request_t, fill: Bool, checked: Bool) -> blkif_response_t {
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

    // MARK: xenconsoled (io/console.h: in[1024], out[2048], then in_cons, in_prod, out_cons, out_prod)

    static let inputConsumerOffset = Int(XenConsoleRing.inputSize + XenConsoleRing.outputSize)

    private func consoleIndex(_ which: Int) -> UInt32 {
        consolePage.load(fromByteOffset: Self.inputConsumerOffset + 4 * which, as: UInt32.self)
    }

    private func setConsoleIndex(_ which: Int, _ value: UInt32) {
        consolePage.storeBytes(of: value, toByteOffset: Self.inputConsumerOffset + 4 * which, as: UInt32.self)
    }

    private func drainConsole() {
        if consoleIndex(2) != consoleIndex(3) {
            setConsoleIndex(2, consoleIndex(3))
            raise(Self.consolePort)
        }
    }

    /// Op 11: out_cons drained, raw, advanced or a little behind out_prod.
    private func consoleOutputConsumer() {
        let choice = input.byte()
        switch choice & 3 {
        case 0: setConsoleIndex(2, consoleIndex(3))
        case 1: setConsoleIndex(2, input.word32())
        case 2: setConsoleIndex(2, consoleIndex(2) &+ UInt32(choice >> 2))
        default: setConsoleIndex(2, consoleIndex(3) &- UInt32(choice >> 2))
        }
        raise(Self.consolePort)
    }

    /// Op 12: input bytes written at in_prod (as room allows, or not), or a raw in_prod.
    private func consoleInput() {
        let choice = input.byte()
        if choice & 1 != 0 {
            setConsoleIndex(1, choice & 2 != 0 ? input.word32() : consoleIndex(0) &+ UInt32(input.word16() % 2048))
        } else {
            var producer = consoleIndex(1)
            for byte in input.bytes(limit: 64) {
                consolePage.storeBytes(of: byte, toByteOffset: Int(producer & (XenConsoleRing.inputSize - 1)), as: UInt8.self)
                producer &+= 1
            }
            setConsoleIndex(1, producer)
        }
        raise(Self.consolePort)
    }
}
