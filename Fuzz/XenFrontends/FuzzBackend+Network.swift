/// The fuzzed netback: the vif handshake, transmit and receive responses honest or chosen by the input, ring indices.
import XenABI
import Xen

extension FuzzBackend {
    /// Follows the XenBus handshake; serves the tx ring while honest.
    func netStep() {
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
    func connectNet() {
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
    func checkTransmitRequest(_ request: netif_tx_request_t) {
        guard services.map(request.gref, domain: netDomain, writable: false) != nil,
              !(services.map(request.gref, domain: netDomain, writable: true) != nil) else {
            fatalError("netfront: tx request with a bad grant")
        }
        guard Int(request.offset) + Int(request.size) <= XenMemory.pageSize, request.size >= 14, request.size <= 1514,
              request.flags == 0 else { fatalError("netfront: malformed tx request") }
    }

    /// Op 7: n tx responses; per response a mutation byte: 1 id, 2 status, 4 without taking a request.
    func transmitResponses() {
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
    func receiveResponses() {
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
    func ringIndex() {
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
}
