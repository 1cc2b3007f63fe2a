/// netfront's XenBus handshake (io/netif.h, io/xenbus.h): find the vif, share rings and buffers, publish them, wait for Connected.
import Capabilities

extension NetFront {
    /// Finds `device/vif/<index>`, checks the backend offers `feature-rx-copy`, grants the two ring pages
    /// and `receiveBuffers` + `transmitBuffers` buffer pages (each count clamped to 1...ring size),
    /// allocates and binds an event channel, publishes `tx-ring-ref`, `rx-ring-ref`, `event-channel`,
    /// `request-rx-copy = 1`, `feature-rx-notify = 1` and `feature-no-csum-offload = 1`, switches to
    /// Connected and waits for the backend's Connected. The whole handshake is bounded by `timeout`
    /// nanoseconds (`.handshakeTimeout`); a backend that closes meanwhile gives `.backendClosed`.
    /// On failure every grant made is withdrawn where the backend allows it.
    public static func connect(services: Services, index: UInt32 = 0, receiveBuffers: Int = 64,
                               transmitBuffers: Int = 64, timeout: UInt64 = 10_000_000_000) throws(XenError) -> NetFront {
        let start = services.nanoseconds
        let device = try XenBusDevice(services: services, kind: "vif", index: index)
        // docs/misc/xenstore-paths.pandoc: the toolstack writes the MAC in the frontend's directory
        // (missing: the xenstore error; malformed: `.malformedStoreValue`).
        let macPath = device.frontendPath + [0x2f] + XenBusDevice<Services>.bytes("mac")
        guard let mac = NetFrontMACAddress.parse(try services.storeRead(macPath)) else { throw .malformedStoreValue }
        // The backend writes its features before it enters InitWait (io/xenbus.h).
        try device.waitForBackend(.initWait, timeout: remaining(of: timeout, since: start, services: services))
        // Netfront only takes copied frames (netif.h "feature-rx-copy"); flipping is long gone.
        guard let receiveCopy = try device.readBackendNumber("feature-rx-copy"), receiveCopy != 0 else {
            throw .backendLacksReceiveCopy
        }
        var grants: [GrantReference] = []
        var published = false
        do {
            let front = try share(services: services, device: device, mac: mac, receiveBuffers: receiveBuffers,
                                  transmitBuffers: transmitBuffers, grants: &grants)
            try device.writeFrontend("tx-ring-ref", number: UInt64(front.transmitRingReference.rawValue))
            try device.writeFrontend("rx-ring-ref", number: UInt64(front.receiveRingReference.rawValue))
            try device.writeFrontend("event-channel", number: UInt64(front.eventPort))
            try device.writeFrontend("request-rx-copy", number: 1)
            // netif.h: the frontend notifies for new rx requests, so the backend may queue frames.
            try device.writeFrontend("feature-rx-notify", number: 1)
            // netif.h: without this key the backend may hand over frames with blank checksums (NETRXF_csum_blank).
            try device.writeFrontend("feature-no-csum-offload", number: 1)
            published = true
            try device.switchState(.connected)
            try device.waitForBackend(.connected, timeout: remaining(of: timeout, since: start, services: services))
            // The receive requests were pushed before the backend mapped the ring: tell it they are there.
            services.notify(port: front.eventPort)
            return front
        } catch {
            if published { try? device.switchState(.closed) }
            for reference in grants { try? services.grantTable.endAccess(reference) }
            throw error
        }
    }

    /// Nanoseconds left of `timeout` since `start`.
    static func remaining(of timeout: UInt64, since start: UInt64, services: Services) -> UInt64 {
        let elapsed = services.nanoseconds &- start
        return elapsed < timeout ? timeout - elapsed : 0
    }

    /// Allocates and grants the rings and buffers, binds the event channel and posts every receive buffer.
    /// Appends each grant it makes to `grants`, so the caller can withdraw them if the handshake fails.
    static func share(services: Services, device: XenBusDevice<Services>, mac: MACAddress, receiveBuffers: Int,
                      transmitBuffers: Int, grants: inout [GrantReference]) throws(XenError) -> NetFront {
        let domain = device.backendDomain
        let (transmitRingPage, transmitRingReference) = try services.grantSharedPage(to: domain, readOnly: false, recordingIn: &grants)
        let (receiveRingPage, receiveRingReference) = try services.grantSharedPage(to: domain, readOnly: false, recordingIn: &grants)
        // Ids are ring-sized: every buffer can be outstanding at once (io/ring.h: no more requests than slots).
        let receiveCount = min(max(receiveBuffers, 1), try NetFrontQueues.receiveRingCapacity())
        let transmitCount = min(max(transmitBuffers, 1), try NetFrontQueues.transmitRingCapacity())
        // The backend copies received frames in, and only reads frames to send.
        let (receivePages, receiveGrants) = try services.grantSharedPages(receiveCount, to: domain, readOnly: false, recordingIn: &grants)
        let (transmitPages, transmitGrants) = try services.grantSharedPages(transmitCount, to: domain, readOnly: true, recordingIn: &grants)
        let port = try services.allocateUnboundPort(remoteDomain: domain)
        // Nothing to do in the handler: the event loop wakes on any event and polls `receive`.
        try services.bind(port: port) { _ in }
        let queues = try NetFrontQueues(transmitRingPage: transmitRingPage, receiveRingPage: receiveRingPage,
                                        receivePages: receivePages, receiveGrants: receiveGrants,
                                        transmitPages: transmitPages, transmitGrants: transmitGrants,
                                        notify: { [services] in services.notify(port: port) })
        return NetFront(services: services, device: device, queues: queues, macAddress: mac, eventPort: port,
                        transmitRingReference: transmitRingReference, receiveRingReference: receiveRingReference)
    }
}
