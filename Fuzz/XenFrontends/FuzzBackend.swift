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

    var transmitRing: ModelRing?
    var receiveRing: ModelRing?
    var netDomain: UInt16 = 0
    var netPort: UInt32 = 0
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

    var blockRing: ModelRing?
    var blockDomain: UInt16 = 0
    var blockPort: UInt32 = 0
    /// The connected disk's size in 512-byte units and whether it is read-only, once the driver knows them.
    var blockWireSectors: UInt64?
    var blockReadOnly = false
    /// Block requests taken and not answered yet (answered later, in any order).
    var stash: [blkif_request_t] = []

    let consolePage: UnsafeMutableRawPointer
    static let consolePort: UInt32 = 1
    var raised: [UInt32] = []

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

    func raise(_ port: UInt32) {
        if raised.count < 256 { raised.append(port) }
    }

    func port(_ choice: UInt8) -> UInt32 {
        switch choice & 3 {
        case 0: return netPort
        case 1: return blockPort
        case 2: return Self.consolePort
        default: return UInt32(choice >> 2)
        }
    }

    func setKey() {
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

    func number(_ path: [UInt8]) -> UInt64? {
        services.value(path).flatMap { XenStoreNumber.parse($0) }
    }
}
