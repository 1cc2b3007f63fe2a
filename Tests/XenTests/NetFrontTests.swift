// netfront against a simulated netback: the handshake and frames both ways (lying backends: NetFrontLyingBackendTests).
import Testing
import XenABI
@testable import Xen

@Suite struct NetFrontTests: NetFrontTesting {
    // MARK: handshake

    @Test func handshakePublishesRingsAndFeatures() throws {
        let (services, backend, front) = try connected()
        #expect(backend.state == "4" && backend.frontendValue("state") == "4")
        #expect(backend.frontendValue("request-rx-copy") == "1")
        #expect(backend.frontendValue("feature-rx-notify") == "1")
        #expect(backend.frontendValue("feature-no-csum-offload") == "1")
        #expect(backend.frontendValue("event-channel") == String(front.eventPort))
        #expect(backend.frontendValue("tx-ring-ref") == String(front.transmitRingReference.rawValue))
        #expect(backend.frontendValue("rx-ring-ref") == String(front.receiveRingReference.rawValue))
        #expect(services.unboundPorts[front.eventPort] == 0)
        #expect(services.handlers[front.eventPort] != nil)
        #expect(front.backendDomain == 0)
        #expect(front.macAddress.rawValue == 0x0016_3e12_3456)
        #expect(front.maximumTransmissionUnit == 1500)
        #expect(backend.frontendErrors.isEmpty)
        // Rings and receive buffers are writable by the backend, transmit buffers read-only.
        #expect(services.grant(front.transmitRingReference.rawValue)?.readOnly == false)
        #expect(services.grant(front.receiveRingReference.rawValue)?.readOnly == false)
        #expect(front.queues.receiveGrants.allSatisfy { services.grant($0.rawValue)?.readOnly == false })
        #expect(front.queues.transmitGrants.allSatisfy { services.grant($0.rawValue)?.readOnly == true })
        #expect(front.postedReceiveBuffers == 8 && front.queues.receiveRing.requestsPushed == 8)
        // The backend is kicked once connected, so it sees the posted buffers.
        #expect(services.notified.last == front.eventPort)
        // The rings, keys and state come before Connected.
        let order = services.writes.map { String(decoding: $0.path, as: UTF8.self) }
        let stateIndex = try #require(order.lastIndex(of: "device/vif/0/state"))
        #expect(order.firstIndex(of: "device/vif/0/event-channel")! < stateIndex)
        #expect(order.firstIndex(of: "device/vif/0/tx-ring-ref")! < stateIndex)
    }

    @Test func bufferCountsAreClampedToTheRing() throws {
        let (_, _, front) = try connected(receiveBuffers: 10_000, transmitBuffers: 0)
        #expect(front.receiveBufferCount == 256 && front.postedReceiveBuffers == 256)
        #expect(front.transmitBufferCount == 1)
    }

    @Test func macAddressIsParsedStrictly() {
        #expect(NetFrontMACAddress.parse(Array("00:16:3E:aB:cd:EF".utf8))?.rawValue == 0x0016_3eab_cdef)
        #expect(NetFrontMACAddress.parse(Array("00:16:3e:ab:cd:ef".utf8) + [0])?.rawValue == 0x0016_3eab_cdef)
        for bad in ["", "00:16:3e:ab:cd", "00:16:3e:ab:cd:ef:", "00-16-3e-ab-cd-ef", "0:16:3e:ab:cd:eff",
                    "00:16:3e:ab:cd:eg", " 0:16:3e:ab:cd:ef", "00:16:3e:ab:cd:ef\n", "00163eabcdef"] {
            #expect(NetFrontMACAddress.parse(Array(bad.utf8)) == nil, "\(bad)")
        }
        expectConnectError(.malformedStoreValue) { services, _ in services.set("device/vif/0/mac", "00:16:3e:12:34") }
    }

    @Test func malformedStoreValuesAreTypedErrors() {
        expectConnectError(.malformedStoreValue) { services, _ in services.set("device/vif/0/backend-id", "0x0") }
        expectConnectError(.malformedStoreValue) { services, _ in services.set("device/vif/0/backend-id", "99999") }
        expectConnectError(.malformedStoreValue) { services, _ in services.set("device/vif/0/backend", "relative/path") }
        expectConnectError(.malformedStoreValue) { services, backend in services.set(backend.backendPath + "/state", "two") }
        expectConnectError(.malformedStoreValue) { services, backend in services.set(backend.backendPath + "/state", "9") }
        expectConnectError(.malformedStoreValue) { services, backend in
            services.set(backend.backendPath + "/feature-rx-copy", "yes")
        }
        expectConnectError(.deviceMissing) { services, _ in services.store[Array("device/vif/0/backend".utf8)] = nil }
    }

    @Test func backendWithoutReceiveCopyIsRefused() {
        expectConnectError(.backendLacksReceiveCopy) { services, backend in
            services.store[Array((backend.backendPath + "/feature-rx-copy").utf8)] = nil
        }
        expectConnectError(.backendLacksReceiveCopy) { services, backend in services.set(backend.backendPath + "/feature-rx-copy", "0") }
    }

    @Test func exhaustedMemoryOrGrantsAreTypedErrors() throws {
        expectConnectError(.outOfMemory) { services, _ in services.pageLimit = 20 }
        expectConnectError(.grantTableFull) { services, _ in
            // Leave room for the rings and a few buffers only.
            while services.grantTable.freeCount > 10 {
                _ = try? services.grantTable.grantAccess(domain: 3, frame: 1, readOnly: true)
            }
        }
    }

    @Test func backendThatNeverConnectsTimesOut() {
        let services = TestFrontendServices()
        let backend = SimulatedNetBack(services: services)
        backend.connects = false
        let freeGrants = services.grantTable.freeCount
        let start = services.nanoseconds
        #expect(throws: XenError.handshakeTimeout) { try Front.connect(services: services, timeout: 50_000_000) }
        #expect(services.nanoseconds - start <= 52_000_000)
        #expect(services.waits <= 60)
        // Published, then withdrawn: state Closed, every grant ended.
        #expect(backend.frontendValue("state") == "6")
        #expect(services.grantTable.freeCount == freeGrants)
    }

    @Test func backendThatNeverReachesInitWaitTimesOut() {
        expectConnectError(.handshakeTimeout) { services, backend in services.set(backend.backendPath + "/state", "1") }
    }

    @Test func backendThatClosesDuringHandshake() {
        expectConnectError(.backendClosed) { _, backend in backend.closesDuringHandshake = true }
        expectConnectError(.backendClosed) { services, backend in services.set(backend.backendPath + "/state", "5") }
    }

    // MARK: frames

    @Test func frameRoundTripsBothWays() throws {
        let (services, backend, front) = try connected()
        let outgoing = frame(1514, seed: 3)
        #expect(send(front, outgoing))
        #expect(services.notified.last == front.eventPort)  // req_event was 1: the first push notifies
        services.wait(until: services.nanoseconds)
        #expect(backend.transmitted == [outgoing])

        let incoming = frame(60, seed: 9)
        backend.pending.append(incoming)
        #expect(take(front) == nil)
        services.wait(until: services.nanoseconds)
        #expect(take(front) == incoming)
        #expect(take(front) == nil)
        #expect(front.counters.framesReceived == 1 && front.counters.framesTransmitted == 1)
        #expect(front.counters.framesDropped == 0)
        // receive reclaimed the answered transmit buffer.
        #expect(front.postedReceiveBuffers == 8 && front.transmitBuffersInFlight == 0)
        // The next transmit reclaims the answered slot.
        #expect(send(front, frame(14, seed: 1)))
        #expect(front.transmitBuffersInFlight == 1)
    }

    @Test func framesAtAnOffsetAreDelivered() throws {
        let (services, backend, front) = try connected()
        backend.receiveOffset = 4096 - 1514
        let incoming = frame(1514, seed: 5)
        backend.pending.append(incoming)
        services.wait(until: services.nanoseconds)
        #expect(take(front) == incoming)
    }

    @Test func thousandFramesEachWayThroughASmallRing() throws {
        let (services, backend, front) = try connected(receiveBuffers: 4, transmitBuffers: 4)
        let freeGrants = services.grantTable.freeCount
        let pageCount = services.pages.count
        var received: [[UInt8]] = []
        var sent: [[UInt8]] = []
        for index in 0..<1000 {
            let outgoing = frame(14 + index % 1500, seed: index)
            while !send(front, outgoing) { services.wait(until: services.nanoseconds) }
            sent.append(outgoing)
            backend.pending.append(frame(60 + index % 1400, seed: index &* 3))
            if index % 3 == 0 { services.wait(until: services.nanoseconds) }
            while let bytes = take(front) { received.append(bytes) }
        }
        var rounds = 0
        while received.count < 1000 && rounds < 1000 {
            rounds += 1
            services.wait(until: services.nanoseconds)
            while let bytes = take(front) { received.append(bytes) }
        }
        #expect(backend.transmitted == sent)
        #expect(received.count == 1000)
        #expect(received == (0..<1000).map { frame(60 + $0 % 1400, seed: $0 &* 3) })
        #expect(front.postedReceiveBuffers == 4)
        #expect(front.counters.framesDropped == 0 && front.failure == nil)
        // Grants and pages are set up once: no churn per frame.
        #expect(services.grantTable.freeCount == freeGrants && services.pages.count == pageCount)
        #expect(backend.frontendErrors.isEmpty)
    }

    @Test func transmitNeverWaitsForTheBackend() throws {
        let (services, backend, front) = try connected(transmitBuffers: 4)
        backend.answersTransmit = false
        let waits = services.waits
        for index in 0..<4 { #expect(send(front, frame(100, seed: index))) }
        var filled = false
        #expect(!front.transmit(length: 100) { _ in filled = true })
        #expect(!filled && services.waits == waits)
        #expect(front.counters.transmitBusy == 1)
        // With frames in flight the transmit ring's rsp_event is armed: a completion raises an event.
        #expect(front.queues.transmitRing.responseConsumer + 1 == backend.transmitRing!.responseEvent)
        backend.answersTransmit = true
        let raised = backend.raisedCount
        services.wait(until: services.nanoseconds)
        #expect(backend.raisedCount == raised + 1)
        #expect(send(front, frame(100, seed: 9)))
        #expect(front.transmitBuffersInFlight == 1)
    }

    @Test func transmitRefusesBadLengths() throws {
        let (_, _, front) = try connected()
        var filled = false
        #expect(!front.transmit(length: 13) { _ in filled = true })
        #expect(!front.transmit(length: 1515) { _ in filled = true })
        #expect(!front.transmit(length: -1) { _ in filled = true })
        #expect(!filled && front.counters.transmitRejected == 3 && front.failure == nil)
    }

    @Test func transmitErrorsFreeTheSlotAndCount() throws {
        let (services, backend, front) = try connected(transmitBuffers: 2)
        backend.transmitStatus = Int16(NETIF_RSP_ERROR)
        #expect(send(front, frame(60, seed: 1)))
        services.wait(until: services.nanoseconds)
        backend.transmitStatus = Int16(NETIF_RSP_DROPPED)
        #expect(send(front, frame(60, seed: 2)))
        services.wait(until: services.nanoseconds)
        #expect(send(front, frame(60, seed: 3)))
        #expect(front.counters.transmitErrors == 2 && front.failure == nil)
        #expect(front.transmitBuffersInFlight == 1)
    }

    @Test func receiveReArmsTheResponseEvent() throws {
        let (services, backend, front) = try connected()
        backend.pending.append(frame(60, seed: 1))
        services.wait(until: services.nanoseconds)
        #expect(take(front) != nil)
        #expect(take(front) == nil)
        // io/ring.h: rsp_event = rsp_cons + 1, so the next frame raises an event.
        #expect(backend.receiveRing!.responseEvent == front.queues.receiveRing.responseConsumer + 1)
        let raised = backend.raisedCount
        backend.pending.append(frame(60, seed: 2))
        services.wait(until: services.nanoseconds)
        #expect(backend.raisedCount == raised + 1)
        #expect(take(front) == frame(60, seed: 2))
    }
}
