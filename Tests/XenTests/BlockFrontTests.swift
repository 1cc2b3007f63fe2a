// blkfront against a simulated blkback: the handshake, round trips, flush, read-only disks, and backends that lie.
import Capabilities
import Testing
import XenABI
@testable import Xen

@Suite struct BlockFrontTests {
    typealias Front = BlockFront<TestFrontendServices>

    /// A connected frontend and its backend.
    func connected(sectorSize: Int = 512, sectorCount: Int = 2048, flush: Bool = true, readOnly: Bool = false,
                   requestsInFlight: Int = 4) throws -> (Front, SimulatedBlockBack, TestFrontendServices) {
        let services = TestFrontendServices()
        let backend = SimulatedBlockBack(services: services, sectorSize: sectorSize, sectorCount: sectorCount,
                                         flush: flush, readOnly: readOnly)
        let front = try Front.connect(services: services, requestsInFlight: requestsInFlight)
        front.requestTimeout = 100_000_000  // 100 waits of the test clock's 1 ms steps
        return (front, backend, services)
    }

    func pattern(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ $0 / 512) }
    }

    func write(_ front: Front, sector: UInt64, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try front.write(sector: sector, from: $0) }
    }

    func read(_ front: Front, sector: UInt64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try front.read(sector: sector, into: $0) }
        return bytes
    }

    func segments(_ request: blkif_request_t) -> [blkif_request_segment] {
        var copy = request.seg
        return withUnsafeBytes(of: &copy) { raw in
            (0..<Int(request.nr_segments)).map {
                raw.load(fromByteOffset: $0 * MemoryLayout<blkif_request_segment>.stride, as: blkif_request_segment.self)
            }
        }
    }

    // MARK: Handshake

    @Test func handshakePublishesRingAndConnects() throws {
        let (front, backend, services) = try connected(sectorCount: 4096)
        let frontend = backend.frontendPath
        let reference = try #require(services.value(frontend + "/ring-ref").flatMap { UInt32($0) })
        let grant = try #require(services.grant(reference, domain: 0))
        #expect(!grant.readOnly)
        #expect(services.page(frame: grant.frame) === backend.ringPage)
        let port = try #require(services.value(frontend + "/event-channel").flatMap { UInt32($0) })
        #expect(services.unboundPorts[port] == 0)
        #expect(services.handlers[port] != nil)
        #expect(services.value(frontend + "/protocol") == "arm-abi")
        #expect(services.value(frontend + "/feature-persistent") == "1")
        #expect(services.value(frontend + "/state") == "4")
        // The ring details are written before the state that tells the backend to read them.
        let paths = services.writes.map { String(decoding: $0.path, as: UTF8.self) }
        let initialised = try #require(services.writes.firstIndex { String(decoding: $0.path, as: UTF8.self) == frontend + "/state" && $0.value == Array("3".utf8) })
        for key in ["ring-ref", "event-channel", "protocol"] {
            let index = try #require(paths.firstIndex(of: frontend + "/" + key))
            #expect(index < initialised)
        }
        #expect(front.sectorSize == 512 && front.sectorCount == 4096)
        #expect(!front.isReadOnly && front.hasFlush && front.failure == nil)
        #expect(front.backendDomain == 0)
        #expect(front.ringReference.rawValue == reference && front.eventChannel == port)
        // The ring and 4 × 11 bounce pages stay granted for the device's life.
        #expect(services.grantTable.freeCount == services.grantTable.count - 8 - 45)
    }

    @Test func deviceIsFreedWithItsLastReference() throws {
        weak var weakFront: Front?
        let services = TestFrontendServices()
        let backend = SimulatedBlockBack(services: services)
        do {
            let front = try Front.connect(services: services)
            try write(front, sector: 0, pattern(512))
            weakFront = front
        }
        #expect(weakFront == nil)
        #expect(backend.requests.count == 1)
    }

    @Test func missingDeviceIsReported() {
        let services = TestFrontendServices()
        #expect(throws: XenError.deviceMissing) { try Front.connect(services: services) }
    }

    @Test func backendThatNeverConnectsTimesOutAndReleasesGrants() {
        let services = TestFrontendServices()
        let backend = SimulatedBlockBack(services: services)
        backend.handshake = .neverConnects
        let free = services.grantTable.freeCount
        #expect(throws: XenError.handshakeTimeout) { try Front.connect(services: services, timeout: 50_000_000) }
        #expect(services.grantTable.freeCount == free)
        #expect(services.value(backend.frontendPath + "/state") == "5")
        #expect(services.waits < 100)
    }

    @Test func backendStuckBeforeInitWaitTimesOutBeforeGranting() {
        let services = TestFrontendServices()
        let backend = SimulatedBlockBack(services: services)
        backend.handshake = .staysInitialising
        services.set(backend.backendPath + "/state", "1")
        #expect(throws: XenError.handshakeTimeout) { try Front.connect(services: services, timeout: 20_000_000) }
        #expect(services.pages.isEmpty)
        #expect(services.value(backend.frontendPath + "/state") == "1")
    }

    @Test func backendClosingMidHandshakeIsReported() {
        let services = TestFrontendServices()
        let backend = SimulatedBlockBack(services: services)
        backend.handshake = .closesAfterInitialised
        let free = services.grantTable.freeCount
        #expect(throws: XenError.backendClosed) { try Front.connect(services: services) }
        #expect(services.grantTable.freeCount == free)
        #expect(backend.frontendState == "5")
    }

    @Test(arguments: [
        ("sectors", nil, XenError.blockDeviceSizeInvalid),
        ("sectors", "0", .blockDeviceSizeInvalid),
        ("sectors", "18446744073709551615", .blockDeviceSizeInvalid),  // × 512 overflows
        ("sectors", "99999999999999999999999", .malformedStoreValue),
        ("sectors", "12a", .malformedStoreValue),
        ("sectors", "-1", .malformedStoreValue),
        ("sector-size", nil, .blockSectorSizeUnsupported(0)),
        ("sector-size", "0", .blockSectorSizeUnsupported(0)),
        ("sector-size", "256", .blockSectorSizeUnsupported(256)),
        ("sector-size", "1000", .blockSectorSizeUnsupported(1000)),
        ("sector-size", "8192", .blockSectorSizeUnsupported(8192)),
        ("sector-size", " 512", .malformedStoreValue),
        ("info", "4294967296", .malformedStoreValue),
        ("feature-flush-cache", "yes", .malformedStoreValue),
    ] as [(String, String?, XenError)])
    func absurdDevicePropertiesAreRejected(key: String, value: String?, error: XenError) {
        let services = TestFrontendServices()
        let backend = SimulatedBlockBack(services: services)
        backend.setProperty(key, value)
        let free = services.grantTable.freeCount
        #expect(throws: error) { try Front.connect(services: services) }
        #expect(services.grantTable.freeCount == free)
        #expect(backend.frontendState == "5")
    }

    // MARK: Data

    @Test func readWriteRoundTrip() throws {
        let (front, backend, services) = try connected()
        let data = pattern(512 * 3)
        try write(front, sector: 7, data)
        #expect(Array(backend.disk[7 * 512..<10 * 512]) == data)
        #expect(try read(front, sector: 7, count: data.count) == data)
        #expect(try read(front, sector: 6, count: 512) == [UInt8](repeating: 0, count: 512))
        // One request each: 3 sectors in one page, 512-byte units on the wire.
        let request = try #require(backend.requests.first)
        #expect(request.operation == UInt8(BLKIF_OP_WRITE) && request.nr_segments == 1 && request.sector_number == 7)
        #expect(segments(request).map { $0.last_sect } == [2])
        #expect(backend.malformedRequests == 0)
        #expect(services.notified.contains(front.eventChannel))
    }

    @Test(arguments: [1, 4, 32])
    func hundredsOfSectorsSplitIntoRequests(requestsInFlight: Int) throws {
        let (front, backend, _) = try connected(requestsInFlight: requestsInFlight)
        let data = pattern(512 * 300, seed: 9)
        try write(front, sector: 100, data)
        #expect(try read(front, sector: 100, count: data.count) == data)
        #expect(Array(backend.disk[100 * 512..<400 * 512]) == data)
        // 300 sectors = 150 KiB: 4 requests of 11 pages (88 sectors) and one of 36 sectors, each way.
        #expect(backend.requests.count == 8)
        #expect(backend.requests.map { $0.nr_segments } == [11, 11, 11, 5, 11, 11, 11, 5])
        #expect(backend.requests.prefix(4).map { $0.sector_number } == [100, 188, 276, 364])
        #expect(segments(backend.requests[3]).last?.last_sect == 3)
        #expect(backend.malformedRequests == 0)
        #expect(front.requestsInFlight == requestsInFlight)
    }

    @Test func fourKilobyteSectors() throws {
        let (front, backend, _) = try connected(sectorSize: 4096, sectorCount: 64)
        #expect(front.sectorSize == 4096 && front.sectorCount == 64)
        let data = pattern(4096 * 13, seed: 3)
        try write(front, sector: 50, data)
        #expect(try read(front, sector: 50, count: data.count) == data)
        #expect(Array(backend.disk[50 * 4096..<63 * 4096]) == data)
        // sector_number counts 512-byte units whatever sector-size says.
        #expect(backend.requests.map { $0.sector_number } == [400, 488, 400, 488])
        #expect(segments(backend.requests[0]).allSatisfy { $0.first_sect == 0 && $0.last_sect == 7 })
        #expect(throws: BlockError.outOfRange) { _ = try read(front, sector: 60, count: 4096 * 5) }
        #expect(throws: BlockError.misaligned) { _ = try read(front, sector: 0, count: 512) }
    }

    @Test func requestsOutsideTheDiskAreRefusedWithoutTouchingTheRing() throws {
        let (front, backend, _) = try connected(sectorCount: 100)
        #expect(throws: BlockError.outOfRange) { _ = try read(front, sector: 100, count: 512) }
        #expect(throws: BlockError.outOfRange) { try write(front, sector: 99, pattern(1024)) }
        #expect(throws: BlockError.misaligned) { _ = try read(front, sector: 0, count: 0) }
        #expect(throws: BlockError.misaligned) { _ = try read(front, sector: 0, count: 513) }
        #expect(backend.requests.isEmpty)
    }

    @Test func flushWithTheFeature() throws {
        let (front, backend, _) = try connected()
        try write(front, sector: 0, pattern(512))
        try front.flush()
        let request = try #require(backend.requests.last)
        #expect(request.operation == UInt8(BLKIF_OP_FLUSH_DISKCACHE) && request.nr_segments == 0)
        #expect(backend.flushes == 1)
    }

    @Test func flushWithoutTheFeatureIsUnsupported() throws {
        let (front, backend, _) = try connected(flush: false)
        #expect(!front.hasFlush)
        #expect(throws: BlockError.unsupported) { try front.flush() }
        #expect(backend.requests.isEmpty)
    }

    @Test func flushRefusedByTheBackendTurnsTheFeatureOff() throws {
        let (front, backend, _) = try connected()
        backend.behaviour = .status(Int16(BLKIF_RSP_EOPNOTSUPP))
        #expect(throws: BlockError.unsupported) { try front.flush() }
        #expect(!front.hasFlush && front.failure == nil)
        #expect(throws: BlockError.unsupported) { try front.flush() }
        #expect(backend.requests.count == 1)
    }

    @Test func readOnlyDiskRefusesWrites() throws {
        let (front, backend, _) = try connected(readOnly: true)
        backend.disk[512] = 0x5a
        #expect(front.isReadOnly)
        #expect(throws: BlockError.readOnly) { try write(front, sector: 1, pattern(512)) }
        #expect(throws: BlockError.readOnly) { try front.flush() }
        #expect(try read(front, sector: 1, count: 512).first == 0x5a)
        #expect(backend.requests.count == 1)
    }

    @Test func deviceErrorFailsOneRequestOnly() throws {
        let (front, backend, _) = try connected()
        backend.behaviour = .status(Int16(BLKIF_RSP_ERROR))
        // Several requests in flight: every one is collected before the error is reported.
        #expect(throws: BlockError.deviceError) { _ = try read(front, sector: 0, count: 512 * 200) }
        #expect(front.failure == nil)
        backend.behaviour = .honest
        try write(front, sector: 3, pattern(512))
        #expect(try read(front, sector: 3, count: 512) == pattern(512))
    }

    @Test func slowNoisyBackendStillCompletes() throws {
        let (front, backend, _) = try connected()
        backend.delayTurns = 20
        backend.extraRaises = 50
        try write(front, sector: 5, pattern(512 * 20))
        #expect(try read(front, sector: 5, count: 512 * 20) == pattern(512 * 20))
    }

    // MARK: Lying backends

    func expectFailure(_ behaviour: SimulatedBlockBack.Behaviour, honestAnswers: Int = 0, count: Int = 512 * 200,
                       _ failure: XenError, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (front, backend, _) = try connected()
        backend.behaviour = behaviour
        backend.honestAnswers = honestAnswers
        #expect(throws: BlockError.protocolViolation, sourceLocation: sourceLocation) {
            _ = try read(front, sector: 0, count: count)
        }
        #expect(front.failure == failure, sourceLocation: sourceLocation)
        // Failed for good: no further request reaches the ring.
        let sent = backend.requests.count
        backend.behaviour = .honest
        #expect(throws: BlockError.protocolViolation, sourceLocation: sourceLocation) { _ = try read(front, sector: 0, count: 512) }
        #expect(throws: BlockError.protocolViolation, sourceLocation: sourceLocation) { try write(front, sector: 0, pattern(512)) }
        #expect(throws: BlockError.protocolViolation, sourceLocation: sourceLocation) { try front.flush() }
        #expect(backend.requests.count == sent, sourceLocation: sourceLocation)
    }

    @Test func responseWithAnIDNeverIssued() throws {
        try expectFailure(.unknownID, .blockResponseUnexpected(id: 0xdead_beef))
    }

    @Test func duplicateResponse() throws {
        // Request ids: slot in the low byte, sequence number above; the first request is slot 0, number 1.
        try expectFailure(.duplicateResponse, .blockResponseUnexpected(id: 0 | 1 << 8))
    }

    @Test func staleAnswerForAReusedSlot() throws {
        // One request in flight, so every request uses slot 0; the backend answers the second
        // request with the first one's id, which a slot number alone would accept.
        let (front, backend, _) = try connected(requestsInFlight: 1)
        _ = try read(front, sector: 0, count: 512)
        backend.behaviour = .staleID
        #expect(throws: BlockError.protocolViolation) { _ = try read(front, sector: 0, count: 512) }
        #expect(front.failure == .blockResponseUnexpected(id: 0 | 1 << 8))
        #expect(backend.requests[1].id == 0 | 2 << 8)
    }

    @Test func responseProducerBeyondTheRing() throws {
        try expectFailure(.producerBeyondRing, count: 512, .responseProducerBeyondRing(producer: 1001, consumer: 0))
    }

    @Test func moreResponsesThanRequests() throws {
        try expectFailure(.responsesPastRequests, count: 512, .responsesPastRequests(producer: 2, requested: 1))
    }

    @Test func unknownStatus() throws {
        try expectFailure(.status(7), honestAnswers: 2, .blockResponseStatusUnknown(7))
    }

    @Test func responseForAnotherOperation() throws {
        try expectFailure(.wrongOperation, .blockResponseMismatch(id: 0 | 1 << 8, operation: UInt8(BLKIF_OP_WRITE)))
    }

    @Test func silentBackendTimesOut() throws {
        let (front, backend, services) = try connected()
        backend.behaviour = .silent
        let waits = services.waits
        #expect(throws: BlockError.timeout) { _ = try read(front, sector: 0, count: 512) }
        #expect(front.failure == .blockRequestTimeout)
        #expect(services.waits - waits <= 101)
        #expect(throws: BlockError.timeout) { _ = try read(front, sector: 0, count: 512) }
        #expect(backend.requests.count == 1)
    }

    @Test func eventStormWithoutAnswersIsBounded() throws {
        let (front, backend, services) = try connected()
        backend.behaviour = .eventStorm
        let waits = services.waits
        #expect(throws: BlockError.timeout) { try write(front, sector: 0, pattern(512)) }
        #expect(services.waits - waits <= 101)
    }

    @Test func eventStormWithAFrozenClockIsBounded() throws {
        let (front, backend, services) = try connected()
        backend.behaviour = .eventStorm
        backend.stormSize = 10
        front.requestTimeout = .max
        front.wakeupLimit = 500
        front.pollInterval = 0  // the test clock then never moves
        let clock = services.nanoseconds
        #expect(throws: BlockError.timeout) { _ = try read(front, sector: 0, count: 512) }
        #expect(services.nanoseconds == clock)
        #expect(front.failure == .blockRequestTimeout)
    }
}
