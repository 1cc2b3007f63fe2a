/// blkfront's XenBus handshake (io/blkif.h "STATE DIAGRAMS", Startup) and the checks on what the backend publishes.
import XenABI

extension BlockFront {
    /// Finds device/vbd/<index> (io/blkif.h "Frontend/backend negotiation"): waits for the backend's
    /// InitWait, grants the one-page ring and its bounce pages, allocates and binds an event channel,
    /// writes ring-ref, event-channel, protocol ("arm-abi", XEN_IO_PROTO_ABI_ARM), switches to
    /// Initialised, waits (bounded) for Connected, reads sectors, sector-size, info (VDISK_READONLY),
    /// feature-flush-cache, then switches to Connected.
    ///
    /// `timeout` bounds the whole handshake. `requestsInFlight` (1 to the ring's 32) is how many
    /// requests may be on the ring at once; each takes 11 bounce pages and 11 grant references.
    /// On failure the grants made are withdrawn (those the backend still maps stay granted: their
    /// pages are never reused) and, once keys were published, the frontend's state goes to Closing.
    public static func connect(services: Services, index: UInt32 = 0, timeout: UInt64 = 10_000_000_000,
                               requestsInFlight: Int = 4) throws(XenError) -> BlockFront {
        let start = services.nanoseconds
        let bus = try XenBusDevice(services: services, kind: "vbd", index: index)
        try bus.waitForBackend(.initWait, timeout: timeout)

        var grants: [GrantReference] = []
        var published = false
        do throws(XenError) {
            let (ringPage, ringGrant) = try services.grantSharedPage(to: bus.backendDomain, readOnly: false, recordingIn: &grants)
            let ring = try BlockRing(page: ringPage)
            ring.initialiseShared()

            let slotCount = min(max(requestsInFlight, 1), Int(ring.geometry.count))
            // Read-write for reads; granted for the device's life (io/blkif.h note 8: a
            // persistent grant is mapped writable whatever the request).
            let (pages, pageGrants) = try services.grantSharedPages(slotCount * segmentsPerRequest, to: bus.backendDomain,
                                                                    readOnly: false, recordingIn: &grants)

            let port = try services.allocateUnboundPort(remoteDomain: bus.backendDomain)
            // Completions are found by looking at the ring after every `wait`; the handler only has to exist.
            try services.bind(port: port) { _ in }

            published = true
            try bus.writeFrontend("ring-ref", number: UInt64(ringGrant.rawValue))
            try bus.writeFrontend("event-channel", number: UInt64(port))
            // io/protocols.h XEN_IO_PROTO_ABI_ARM: the request and response layout of ARM guests.
            try bus.writeFrontend("protocol", XenBusDevice<Services>.bytes("arm-abi"))
            // io/blkif.h "feature-persistent": the same grants for every request, as ours are.
            try bus.writeFrontend("feature-persistent", number: 1)
            try bus.switchState(.initialised)

            let elapsed = services.nanoseconds &- start
            try bus.waitForBackend(.connected, timeout: elapsed < timeout ? timeout - elapsed : 0)
            let properties = try readProperties(bus)
            try bus.switchState(.connected)

            return BlockFront(services: services, bus: bus, ring: ring, port: port,
                              handle: UInt16(truncatingIfNeeded: index), ringGrant: ringGrant,
                              bouncePages: pages, bounceGrants: pageGrants, properties: properties)
        } catch {
            for grant in grants {
                do { try services.grantTable.endAccess(grant) } catch {}
            }
            if published {
                do { try bus.switchState(.closing) } catch {}
            }
            throw error
        }
    }

    /// Reads and checks the backend's device properties, published before it switched to Connected.
    static func readProperties(_ bus: XenBusDevice<Services>) throws(XenError) -> BlockFrontProperties {
        // "sector-size": a power of two, at least 512; Seal's BlockDevice stops at 4096.
        guard let size = try bus.readBackendNumber("sector-size") else { throw .blockSectorSizeUnsupported(0) }
        guard size >= 512, size <= 4096, size & (size - 1) == 0 else { throw .blockSectorSizeUnsupported(size) }
        // "sectors": the size "in units of sector-size"; the byte size must fit in 64 bits.
        guard let sectors = try bus.readBackendNumber("sectors"), sectors > 0,
              !sectors.multipliedReportingOverflow(by: size).overflow else { throw .blockDeviceSizeInvalid }
        // "info": a uint32 bitmap of VDISK_* flags; absent means none.
        let info = try bus.readBackendNumber("info") ?? 0
        guard info <= UInt64(UInt32.max) else { throw .malformedStoreValue }
        let flush = try bus.readBackendNumber("feature-flush-cache") ?? 0
        return BlockFrontProperties(sectorSize: Int(size), sectorCount: sectors,
                                    isReadOnly: info & UInt64(VDISK_READONLY) != 0, hasFlush: flush != 0)
    }
}
