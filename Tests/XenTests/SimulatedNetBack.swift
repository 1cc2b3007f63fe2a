// A simulated netback for host tests: the xenstore side of the handshake, grant mapping, both rings, and knobs to lie.
import XenABI
@testable import Xen

final class SimulatedNetBack {
    let services: TestFrontendServices
    /// The domain netback runs in (the grants must be for it).
    let domain: UInt16
    let frontendPath = "device/vif/0"
    let backendPath = "/local/domain/0/backend/vif/7/0"

    // Handshake knobs.
    /// Go Connected once the frontend is Connected.
    var connects = true
    /// Close (state 6) when the frontend goes Connected, instead of connecting.
    var closesDuringHandshake = false

    // Data-path knobs.
    /// Answer tx requests at each step (false: hold them, the ring fills).
    var answersTransmit = true
    /// The status every tx response carries.
    var transmitStatus = Int16(NETIF_RSP_OKAY)
    /// The offset frames are copied to in rx buffers.
    var receiveOffset: UInt16 = 0
    /// Raise the port after producing responses only when rsp_event asks (io/ring.h); false: always.
    var honoursResponseEvent = true

    // What it saw.
    private(set) var transmitRing: SimulatedBackend?
    private(set) var receiveRing: SimulatedBackend?
    private(set) var port: UInt32?
    /// Frames the frontend sent, in order.
    var transmitted: [[UInt8]] = []
    /// Frames queued for the frontend.
    var pending: [[UInt8]] = []
    /// Protocol errors the frontend made (a grant that is missing or has the wrong access).
    var frontendErrors: [String] = []
    /// Times it raised the port.
    var raisedCount = 0
    var steps = 0

    init(services: TestFrontendServices, domain: UInt16 = 0, mac: String = "00:16:3e:12:34:56",
         state: String = "2", receiveCopy: String? = "1") {
        self.services = services
        self.domain = domain
        services.set(frontendPath + "/backend", backendPath)
        services.set(frontendPath + "/backend-id", String(domain))
        services.set(frontendPath + "/mac", mac)
        services.set(backendPath + "/state", state)
        if let receiveCopy { services.set(backendPath + "/feature-rx-copy", receiveCopy) }
        services.backend = { [unowned self] in self.step() }
    }

    var state: String? { services.value(backendPath + "/state") }
    func frontendValue(_ key: String) -> String? { services.value(frontendPath + "/" + key) }

    /// One turn: follow the frontend's state, then serve both rings.
    func step() {
        steps += 1
        if transmitRing == nil, frontendValue("state") == "4", state == "2" {
            if closesDuringHandshake {
                services.set(backendPath + "/state", "6")
            } else if connects {
                connect()
            }
        }
        guard transmitRing != nil else { return }
        if answersTransmit { serveTransmit() }
        serveReceive()
    }

    /// Maps the rings the frontend published and goes Connected.
    private func connect() {
        guard let transmitPage = mapRing("tx-ring-ref"), let receivePage = mapRing("rx-ring-ref"),
              let portText = frontendValue("event-channel"), let port = UInt32(portText),
              frontendValue("request-rx-copy") == "1",
              frontendValue("feature-rx-notify") == "1" else {  // Linux netback refuses a frontend without it
            frontendErrors.append("handshake keys")
            return
        }
        let transmitGeometry = try! SharedRingGeometry(request: netif_tx_request_t.self, response: netif_tx_response_t.self)
        let receiveGeometry = try! SharedRingGeometry(request: netif_rx_request_t.self, response: netif_rx_response_t.self)
        transmitRing = SimulatedBackend(page: transmitPage, geometry: transmitGeometry)
        receiveRing = SimulatedBackend(page: receivePage, geometry: receiveGeometry)
        self.port = port
        services.set(backendPath + "/state", "4")
    }

    private func mapRing(_ key: String) -> SharedPage? {
        guard let text = frontendValue(key), let reference = UInt32(text),
              let grant = services.grant(reference, domain: domain), !grant.readOnly else { return nil }
        return services.page(frame: grant.frame)
    }

    /// Consumes every tx request: records the frame, answers `{id, transmitStatus}`.
    func serveTransmit() {
        guard var ring = transmitRing else { return }
        var answered = false
        while let request = ring.takeRequest(netif_tx_request_t.self) {
            if let grant = services.grant(request.gref, domain: domain), grant.readOnly,
               let page = services.page(frame: grant.frame), Int(request.offset) + Int(request.size) <= 4096 {
                let start = page.bytes + Int(request.offset)
                transmitted.append(Array(UnsafeRawBufferPointer(start: start, count: Int(request.size))))
            } else {
                frontendErrors.append("tx grant")
            }
            var response = netif_tx_response_t()
            response.id = request.id
            response.status = transmitStatus
            ring.respond(response)
            answered = true
        }
        transmitRing = ring
        if answered { raise(ring) }
    }

    /// Copies queued frames into posted rx buffers and answers `{id, offset, 0, length}`.
    func serveReceive() {
        guard var ring = receiveRing else { return }
        var answered = false
        while !pending.isEmpty, let request = ring.takeRequest(netif_rx_request_t.self) {
            let frame = pending.removeFirst()
            guard let grant = services.grant(request.gref, domain: domain), !grant.readOnly,
                  let page = services.page(frame: grant.frame) else {
                frontendErrors.append("rx grant")
                continue
            }
            frame.withUnsafeBytes { (page.bytes + Int(receiveOffset)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            ring.respond(Self.receiveResponse(id: request.id, offset: receiveOffset, status: Int16(frame.count)))
            answered = true
        }
        receiveRing = ring
        if answered { raise(ring) }
    }

    /// Takes the next rx request without answering it (for tests that write lying responses).
    func takeReceiveRequest() -> netif_rx_request_t? {
        guard var ring = receiveRing else { return nil }
        defer { receiveRing = ring }
        return ring.takeRequest(netif_rx_request_t.self)
    }

    /// Writes any rx response at the next slot and publishes rsp_prod.
    func respondReceive(_ response: netif_rx_response_t) {
        guard var ring = receiveRing else { return }
        ring.respond(response)
        receiveRing = ring
        raise(ring)
    }

    /// Takes the next tx request without answering it.
    func takeTransmitRequest() -> netif_tx_request_t? {
        guard var ring = transmitRing else { return nil }
        defer { transmitRing = ring }
        return ring.takeRequest(netif_tx_request_t.self)
    }

    /// Writes any tx response at the next slot and publishes rsp_prod.
    func respondTransmit(id: UInt16, status: Int16 = Int16(NETIF_RSP_OKAY)) {
        guard var ring = transmitRing else { return }
        var response = netif_tx_response_t()
        response.id = id
        response.status = status
        ring.respond(response)
        transmitRing = ring
        raise(ring)
    }

    static func receiveResponse(id: UInt16, offset: UInt16 = 0, flags: UInt16 = 0, status: Int16) -> netif_rx_response_t {
        var response = netif_rx_response_t()
        response.id = id
        response.offset = offset
        response.flags = flags
        response.status = status
        return response
    }

    /// An extra-info slot (netif.h netif_extra_info: type, flags) as it overlays an rx response.
    static func extraInfo(more: Bool) -> netif_rx_response_t {
        var response = netif_rx_response_t()
        withUnsafeMutableBytes(of: &response) { bytes in
            bytes[0] = UInt8(XEN_NETIF_EXTRA_TYPE_GSO)
            bytes[1] = more ? UInt8(XEN_NETIF_EXTRA_FLAG_MORE) : 0
        }
        return response
    }

    /// io/ring.h RING_PUSH_RESPONSES_AND_CHECK_NOTIFY: raise when rsp_prod passed rsp_event.
    private func raise(_ ring: SimulatedBackend) {
        guard let port else { return }
        let produced = ring.responseProducer
        let event = ring.responseEvent
        // The responses of this turn are all published; notify if rsp_event lies within the last batch.
        if !honoursResponseEvent || produced &- event < produced &- lastNotified(ring) {
            services.raised.append(port)
            raisedCount += 1
        }
        remember(ring)
    }

    private var lastProducedTransmit: UInt32 = 0
    private var lastProducedReceive: UInt32 = 0

    private func lastNotified(_ ring: SimulatedBackend) -> UInt32 {
        ring.page === transmitRing?.page ? lastProducedTransmit : lastProducedReceive
    }

    private func remember(_ ring: SimulatedBackend) {
        if ring.page === transmitRing?.page { lastProducedTransmit = ring.responseProducer }
        else { lastProducedReceive = ring.responseProducer }
    }
}
