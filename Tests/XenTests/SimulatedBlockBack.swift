// A blkback stand-in for host tests: a RAM disk behind the blkif ring, run inside TestFrontendServices.wait, with knobs to lie.
import XenABI
@testable import Xen

final class SimulatedBlockBack {
    /// How the backend goes through the XenBus handshake.
    enum Handshake {
        case normal
        /// Stays in InitWait after the frontend is Initialised.
        case neverConnects
        /// Switches to Closing once the frontend is Initialised.
        case closesAfterInitialised
        /// Never leaves Initialising.
        case staysInitialising
    }

    /// How the backend answers requests (after `honestAnswers` honest ones).
    enum Behaviour: Equatable {
        case honest
        /// Answers with an id no request had.
        case unknownID
        /// Answers with the id of the first request it ever took (a stale answer for a reused slot).
        case staleID
        /// Answers the first request of a batch twice and the last never.
        case duplicateResponse
        /// Moves rsp_prod far past the ring.
        case producerBeyondRing
        /// Publishes more responses than requests were pushed.
        case responsesPastRequests
        /// Answers with this status (honest ones: BLKIF_RSP_ERROR, _EOPNOTSUPP; lies: anything else).
        case status(Int16)
        /// Answers with another operation than the request's.
        case wrongOperation
        /// Takes requests and never answers.
        case silent
        /// Raises the port `stormSize` times per turn and never answers.
        case eventStorm
    }

    let services: TestFrontendServices
    let frontendPath = "device/vbd/0"
    let backendPath = "/local/domain/0/backend/vbd/1/51712"
    let sectorSize: Int
    var disk: [UInt8]
    var handshake = Handshake.normal
    var behaviour = Behaviour.honest
    var honestAnswers = 0
    /// Turns the backend lets pass before it looks at the ring (a slow disk).
    var delayTurns = 0
    /// Port raises per turn in `.eventStorm`, and with every honest answer (a noisy backend).
    var stormSize = 1000
    var extraRaises = 0
    /// Backend keys published when it connects; tests edit them to lie.
    var properties: [(String, String?)]
    private(set) var ringPage: SharedPage?
    private(set) var port: UInt32?
    private(set) var requestConsumer: UInt32 = 0
    private(set) var responseProducer: UInt32 = 0
    /// Every request taken, in order.
    private(set) var requests: [blkif_request_t] = []
    private(set) var flushes = 0
    /// Requests that broke blkif (bad grant, segment, range): the frontend must never send one.
    private(set) var malformedRequests = 0
    private(set) var turns = 0
    static let entrySize = Int(seal_xen_size_blkif_entry())
    static let ringCount: UInt32 = 32

    init(services: TestFrontendServices, sectorSize: Int = 512, sectorCount: Int = 2048,
         flush: Bool = true, readOnly: Bool = false) {
        self.services = services
        self.sectorSize = sectorSize
        disk = Array(repeating: 0, count: sectorSize * sectorCount)
        properties = [("sectors", String(sectorCount)), ("sector-size", String(sectorSize)),
                      ("info", readOnly ? "4" : "0"), ("feature-flush-cache", flush ? "1" : nil)]
        services.set(frontendPath + "/backend", backendPath)
        services.set(frontendPath + "/backend-id", "0")
        services.set(frontendPath + "/state", "1")
        services.set(backendPath + "/state", "2")
        services.backend = { [weak self] in self?.turn() }
    }

    func setProperty(_ key: String, _ value: String?) {
        properties.removeAll { $0.0 == key }
        properties.append((key, value))
    }

    var backendState: String? { services.value(backendPath + "/state") }
    var frontendState: String? { services.value(frontendPath + "/state") }

    func turn() {
        turns += 1
        if handshake == .staysInitialising { services.set(backendPath + "/state", "1") }
        if backendState == "2" && frontendState == "3" {
            switch handshake {
            case .normal: connect()
            case .neverConnects, .staysInitialising: break
            case .closesAfterInitialised: services.set(backendPath + "/state", "5")
            }
        }
        guard backendState == "4", ringPage != nil else { return }
        if behaviour == .eventStorm, let port {
            services.raised += Array(repeating: port, count: stormSize)
            return
        }
        if delayTurns > 0 {
            delayTurns -= 1
            if let port { services.raised += Array(repeating: port, count: extraRaises) }
            return
        }
        serviceRing()
    }

    /// Maps the ring the frontend granted (as blkback does on Initialised) and publishes the disk.
    private func connect() {
        guard let reference = services.value(frontendPath + "/ring-ref").flatMap({ UInt32($0) }),
              let grant = services.grant(reference, domain: 0), !grant.readOnly,
              let page = services.page(frame: grant.frame),
              let port = services.value(frontendPath + "/event-channel").flatMap({ UInt32($0) }),
              services.unboundPorts[port] == 0,
              services.value(frontendPath + "/protocol") == "arm-abi" else {
            services.set(backendPath + "/state", "5")
            return
        }
        ringPage = page
        self.port = port
        for (key, value) in properties {
            if let value { services.set(backendPath + "/" + key, value) }
        }
        services.set(backendPath + "/state", "4")
    }

    private func serviceRing() {
        guard let page = ringPage else { return }
        let producer = page.load32(0)
        var batch: [blkif_request_t] = []
        while requestConsumer != producer {
            let slot = Int(requestConsumer & (Self.ringCount - 1))
            batch.append(page.bytes.loadUnaligned(fromByteOffset: 64 + slot * Self.entrySize, as: blkif_request_t.self))
            requestConsumer &+= 1
        }
        page.store32(4, requestConsumer &+ 1)  // req_event: RING_FINAL_CHECK_FOR_REQUESTS
        guard !batch.isEmpty else { return }
        requests += batch
        if behaviour == .silent && honestAnswers == 0 { return }
        for (index, request) in batch.enumerated() {
            let honest = honestAnswers > 0 || behaviour == .honest
            if honestAnswers > 0 { honestAnswers -= 1 }
            var status = perform(request)
            var response = blkif_response_t()
            response.id = request.id
            response.operation = request.operation
            if !honest {
                switch behaviour {
                case .honest, .silent, .eventStorm: break
                case .unknownID: response.id = 0xdead_beef
                case .staleID: response.id = requests[0].id
                case .status(let lie): status = lie
                case .wrongOperation: response.operation = request.operation ^ 1
                case .duplicateResponse:
                    if index == batch.count - 1 && batch.count > 1 {
                        response.id = batch[0].id
                        response.operation = batch[0].operation
                    }
                case .producerBeyondRing:
                    respond(response, status: status)
                    page.store32(8, responseProducer &+ 1000)
                    continue
                case .responsesPastRequests:
                    respond(response, status: status)
                    respond(response, status: status)
                    continue
                }
            }
            respond(response, status: status)
        }
        if let port { services.raised += Array(repeating: port, count: 1 + extraRaises) }
    }

    private func respond(_ response: blkif_response_t, status: Int16) {
        guard let page = ringPage else { return }
        var response = response
        response.status = status
        let slot = Int(responseProducer & (Self.ringCount - 1))
        page.bytes.storeBytes(of: response, toByteOffset: 64 + slot * Self.entrySize, as: blkif_response_t.self)
        responseProducer &+= 1
        page.store32(8, responseProducer)
    }

    /// Does what blkback would, checking the request as it must.
    private func perform(_ request: blkif_request_t) -> Int16 {
        switch Int32(request.operation) {
        case BLKIF_OP_FLUSH_DISKCACHE:
            guard request.nr_segments == 0 else { return malformed() }
            flushes += 1
            return Int16(BLKIF_RSP_OKAY)
        case BLKIF_OP_READ, BLKIF_OP_WRITE:
            let writing = Int32(request.operation) == BLKIF_OP_WRITE
            guard request.nr_segments >= 1, request.nr_segments <= 11 else { return malformed() }
            var segments = request.seg
            var offset = Int(request.sector_number) * 512
            return withUnsafeBytes(of: &segments) { raw -> Int16 in
                for index in 0..<Int(request.nr_segments) {
                    let segment = raw.load(fromByteOffset: index * MemoryLayout<blkif_request_segment>.stride,
                                           as: blkif_request_segment.self)
                    guard segment.first_sect <= segment.last_sect, segment.last_sect < 8,
                          let grant = services.grant(segment.gref, domain: 0), !grant.readOnly,
                          let page = services.page(frame: grant.frame) else { return malformed() }
                    let start = Int(segment.first_sect) * 512
                    let count = (Int(segment.last_sect) - Int(segment.first_sect) + 1) * 512
                    guard offset + count <= disk.count else { return Int16(BLKIF_RSP_ERROR) }
                    disk.withUnsafeMutableBytes { bytes in
                        let sector = bytes.baseAddress! + offset
                        if writing {
                            sector.copyMemory(from: page.bytes + start, byteCount: count)
                        } else {
                            (page.bytes + start).copyMemory(from: sector, byteCount: count)
                        }
                    }
                    offset += count
                }
                return Int16(BLKIF_RSP_OKAY)
            }
        default:
            return malformed()
        }
    }

    private func malformed() -> Int16 {
        malformedRequests += 1
        return Int16(BLKIF_RSP_ERROR)
    }
}
