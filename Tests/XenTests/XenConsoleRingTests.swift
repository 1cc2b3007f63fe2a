// The PV console's rings (io/console.h) against a simulated xenconsoled: wrap-around, a full ring, corrupt indices, writes that wait.
import Testing
import XenABI
@testable import Xen

/// xenconsoled's side of the console page: drains `out`, fills `in`.
struct SimulatedConsoleDaemon {
    let page: SharedPage
    var inputCons: UInt32 { page.load32(3072) }
    var inputProd: UInt32 {
        get { page.load32(3076) }
        nonmutating set { page.store32(3076, newValue) }
    }
    var outputCons: UInt32 {
        get { page.load32(3080) }
        nonmutating set { page.store32(3080, newValue) }
    }
    var outputProd: UInt32 { page.load32(3084) }

    /// Takes up to `limit` bytes of output.
    func drain(limit: Int = .max) -> [UInt8] {
        var bytes: [UInt8] = []
        var consumer = outputCons
        while consumer != outputProd && bytes.count < limit {
            bytes.append(page.bytes.load(fromByteOffset: 1024 + Int(consumer & 2047), as: UInt8.self))
            consumer &+= 1
        }
        outputCons = consumer
        return bytes
    }

    /// Puts `bytes` in the input ring (the test keeps them within its free space).
    func type(_ bytes: [UInt8]) {
        var producer = inputProd
        for byte in bytes {
            page.bytes.storeBytes(of: byte, toByteOffset: Int(producer & 1023), as: UInt8.self)
            producer &+= 1
        }
        inputProd = producer
    }
}

@Suite struct XenConsoleRingTests {
    func text(_ count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 &+ seed) % 95 + 32) }
    }

    func write(_ ring: XenConsoleRing, _ bytes: [UInt8]) throws -> Int {
        try bytes.withUnsafeBytes { try ring.write($0) }
    }

    func read(_ ring: XenConsoleRing, limit: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: limit)
        let count = try bytes.withUnsafeMutableBytes { try ring.read(into: $0) }
        return Array(bytes.prefix(count))
    }

    @Test func layoutFollowsTheHeader() {
        #expect(XenConsoleRing.inputSize == 1024 && XenConsoleRing.outputSize == 2048)
        #expect(MemoryLayout<xencons_interface>.offset(of: \.out) == XenConsoleRing.outputOffset)
        #expect(MemoryLayout<xencons_interface>.offset(of: \.in_cons) == XenConsoleRing.inputConsumerOffset)
        #expect(MemoryLayout<xencons_interface>.offset(of: \.in_prod) == XenConsoleRing.inputProducerOffset)
        #expect(MemoryLayout<xencons_interface>.offset(of: \.out_cons) == XenConsoleRing.outputConsumerOffset)
        #expect(MemoryLayout<xencons_interface>.offset(of: \.out_prod) == XenConsoleRing.outputProducerOffset)
    }

    @Test func writtenBytesReachTheDaemon() throws {
        let page = SharedPage()
        let ring = XenConsoleRing(interface: page.bytes)
        let daemon = SimulatedConsoleDaemon(page: page)
        #expect(try write(ring, Array("hello\n".utf8)) == 6)
        #expect(daemon.outputProd == 6 && ring.outputProducer == 6)
        #expect(daemon.drain() == Array("hello\n".utf8))
        #expect(try ring.pendingOutput() == 0)
    }

    @Test func outputWrapsAroundTheRing() throws {
        let page = SharedPage()
        // An earlier boot stage left both indices near the end of the ring (and past 2^32 wrap).
        page.store32(3080, 0xffff_fffa)
        page.store32(3084, 0xffff_fffa)
        let ring = XenConsoleRing(interface: page.bytes)
        let daemon = SimulatedConsoleDaemon(page: page)
        let bytes = text(40)
        #expect(try write(ring, bytes) == 40)
        #expect(ring.outputProducer == 34)
        #expect(daemon.drain() == bytes)
    }

    @Test func fullRingTakesWhatFits() throws {
        let page = SharedPage()
        let ring = XenConsoleRing(interface: page.bytes)
        let daemon = SimulatedConsoleDaemon(page: page)
        let bytes = text(3000)
        #expect(try write(ring, bytes) == 2048)
        #expect(try write(ring, [0x41]) == 0)
        #expect(daemon.drain(limit: 100) == Array(bytes.prefix(100)))
        #expect(try write(ring, Array(bytes[2048...])) == 100)
        #expect(daemon.drain() == Array(bytes[100..<2148]))
        #expect(try write(ring, []) == 0)
    }

    @Test(arguments: [(UInt32(100), UInt32(101)), (3000, 900), (0, 0x8000_0000)])
    func corruptOutputConsumerBreaksTheRing(producer: UInt32, consumer: UInt32) throws {
        let page = SharedPage()
        page.store32(3084, producer)
        page.store32(3080, producer)
        let ring = XenConsoleRing(interface: page.bytes)
        page.store32(3080, consumer)  // the daemon lies
        let error = XenError.consoleOutputIndicesCorrupt(producer: producer, consumer: consumer)
        #expect(throws: error) { try write(ring, [0x41]) }
        #expect(ring.failure == error)
        // Broken for good, input included, even once the index looks sane again.
        page.store32(3080, producer)
        #expect(throws: error) { try write(ring, [0x41]) }
        #expect(throws: error) { try read(ring, limit: 8) }
        #expect(page.load32(3084) == producer)
    }

    @Test func inputIsReadAcrossTheWrap() throws {
        let page = SharedPage()
        page.store32(3072, 1020)
        page.store32(3076, 1020)
        let ring = XenConsoleRing(interface: page.bytes)
        let daemon = SimulatedConsoleDaemon(page: page)
        #expect(try read(ring, limit: 16).isEmpty)
        daemon.type(Array("ls -l\nexit\n".utf8))
        #expect(try ring.pendingInput() == 11)
        #expect(try read(ring, limit: 6) == Array("ls -l\n".utf8))
        #expect(daemon.inputCons == 1026)
        #expect(try read(ring, limit: 64) == Array("exit\n".utf8))
        #expect(daemon.inputCons == 1031 && ring.inputConsumer == 1031)
    }

    @Test func corruptInputProducerBreaksTheRing() throws {
        let page = SharedPage()
        let ring = XenConsoleRing(interface: page.bytes)
        page.store32(3076, 1025)
        #expect(throws: XenError.consoleInputIndicesCorrupt(producer: 1025, consumer: 0)) { try read(ring, limit: 8) }
        #expect(page.load32(3072) == 0)
        #expect(throws: XenError.consoleInputIndicesCorrupt(producer: 1025, consumer: 0)) { try write(ring, [1]) }
    }

    // MARK: XenConsole

    func makeConsole(daemonDrains: Int?) throws -> (XenConsole<TestFrontendServices>, TestFrontendServices, SimulatedConsoleDaemon, Box) {
        let services = TestFrontendServices()
        let page = SharedPage()
        let daemon = SimulatedConsoleDaemon(page: page)
        let received = Box()
        services.backend = {
            if let limit = daemonDrains { received.bytes += daemon.drain(limit: limit) }
            _ = page  // the page lives as long as the daemon runs
        }
        let console = try XenConsole(services: services, interface: page.bytes, port: 3)
        console.timeout = 50_000_000
        return (console, services, daemon, received)
    }

    final class Box { var bytes: [UInt8] = [] }

    @Test func writeWaitsWhileTheRingIsFull() throws {
        let (console, services, daemon, received) = try makeConsole(daemonDrains: 700)
        #expect(services.handlers[3] != nil)
        let bytes = text(10_000, seed: 7)
        try bytes.withUnsafeBytes { try console.write($0) }
        received.bytes += daemon.drain()
        #expect(received.bytes == bytes)
        #expect(services.notified.count >= 5 && services.notified.allSatisfy { $0 == 3 })
    }

    @Test func deadDaemonTimesOutOnceThenWritesDoNotWait() throws {
        let (console, services, daemon, received) = try makeConsole(daemonDrains: nil)
        let bytes = text(3000)
        #expect(throws: XenError.consoleTimeout) { try bytes.withUnsafeBytes { try console.write($0) } }
        #expect(console.isStalled)
        #expect(services.waits <= 51)
        let waits = services.waits
        #expect(throws: XenError.consoleTimeout) { try [UInt8(0x41)].withUnsafeBytes { try console.write($0) } }
        #expect(services.waits == waits)
        // The daemon comes back: the stall ends with the first byte that fits.
        received.bytes = daemon.drain()
        #expect(received.bytes == Array(bytes.prefix(2048)))
        try [UInt8(0x42)].withUnsafeBytes { try console.write($0) }
        #expect(!console.isStalled)
        #expect(daemon.drain() == [0x42])
    }

    @Test func readNotifiesTheDaemon() throws {
        let (console, services, daemon, _) = try makeConsole(daemonDrains: 0)
        daemon.type(Array("y\n".utf8))
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(try buffer.withUnsafeMutableBytes { try console.read(into: $0) } == 2)
        #expect(services.notified == [3])
        #expect(try buffer.withUnsafeMutableBytes { try console.read(into: $0) } == 0)
        #expect(services.notified == [3])
    }
}
