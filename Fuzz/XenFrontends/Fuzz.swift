/// libFuzzer target for the Xen PV frontends (netfront, blkfront, the console) against backends whose every answer comes from the input: no trap, no hang, bounded memory.
///
/// Input: a header, then one backend turn (it may rewrite the xenstore keys the handshakes read),
/// then the handshakes of the chosen devices, then driver ops; the backend takes its turns (see
/// `FuzzBackend`) in every `wait` the frontends make, drawing from the same bytes. Once the input is
/// exhausted the backends are honest and the clock oversleeps every wait, so every timeout ends.
///
/// ```
/// header: flags (bits 0-2: net, block, console, none set = all; 3: small grant table + 1 byte;
///         4: page limit + 1 byte; 5: console indices + 16 bytes), rx buffers, tx buffers, block requests in flight
/// driver op (byte % 10): 0 transmit a frame (u16 length)   1 receive until none   2 block read   3 block write
///         4 flush   5 console write (u16 length)   6 console read (u8 size)   7 idle wait (u8 ms)   8 transmit burst   9 console write (u8)
/// ```
import Capabilities
import Xen

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    FuzzRun(input: input).run()
    return 0
}

/// One input's run: the services, the backend, the frontends and the checks made after every step.
final class FuzzRun {
    let input: FuzzInput
    let services: FuzzServices
    let backend: FuzzBackend
    let devices: UInt8
    let receiveBuffers: Int
    let transmitBuffers: Int
    let requestsInFlight: Int
    /// Bounds the waits of a single call: each wait either consumes input or (exhausted) oversleeps 100 ms.
    var waitBudget: Int { input.size + 2_000 }

    init(input: FuzzInput) {
        self.input = input
        let flags = input.byte()
        devices = flags & 7 == 0 ? 7 : flags & 7
        let grantCount = flags & 8 != 0 ? 8 + Int(input.byte()) * 4 : 4096
        let pageLimit = flags & 16 != 0 ? Int(input.byte()) * 3 : 4096
        receiveBuffers = Int(input.byte())
        transmitBuffers = Int(input.byte())
        requestsInFlight = Int(input.byte())
        services = FuzzServices(grantCount: grantCount, pageLimit: pageLimit)
        backend = FuzzBackend(services: services, input: input)
        services.backend = backend
        if flags & 32 != 0 {
            for index in 0..<4 {
                backend.consolePage.storeBytes(of: input.word32(), toByteOffset: FuzzBackend.inputConsumerOffset + 4 * index,
                                               as: UInt32.self)
            }
        }
    }

    func run() {
        // The toolstack's and backends' set-up, before the guest looks.
        _ = backend.turn()
        let net = devices & 1 != 0 ? connectNet() : nil
        let block = devices & 2 != 0 ? connectBlock() : nil
        var console: XenConsole<FuzzServices>?
        if devices & 4 != 0 {
            console = try? XenConsole(services: services, interface: backend.consolePage, port: FuzzBackend.consolePort)
        }
        // Frontends allocate and grant once, at connect: the data paths allocate no page and no grant.
        let pagesAfterConnect = services.pages.count
        let grantsAfterConnect = services.grantTable.freeCount
        var operations = 0
        while !input.isExhausted && operations < 512 {
            operations += 1
            let waitsBefore = services.waits
            let netFailure = net?.failure
            let blockFailure = block?.failure
            let consoleFailure = console?.ring.failure
            switch input.byte() % 10 {
            case 0: if let net { transmit(net, length: Int(input.word16()) % 1600) }
            case 1: if let net { receive(net) }
            case 2: if let block { transfer(block, writing: false) }
            case 3: if let block { transfer(block, writing: true) }
            case 4: if let block { flush(block) }
            case 5: if let console { write(console, count: Int(input.word16()) % 5000) }
            case 6: if let console { read(console, count: Int(input.byte())) }
            case 7: services.wait(until: services.nanoseconds &+ UInt64(input.byte()) * 1_000_000)
            case 8:
                if let net {
                    for _ in 0..<Int(input.byte() % 64) { transmit(net, length: 60) }
                }
            default: if let console { write(console, count: Int(input.byte())) }
            }
            guard services.waits - waitsBefore <= waitBudget else { fatalError("a call waited without bound") }
            // A broken device stays broken, with the same error.
            if let netFailure, net?.failure != netFailure { fatalError("netfront recovered from a failure") }
            if let blockFailure, block?.failure != blockFailure { fatalError("blkfront recovered from a failure") }
            if let consoleFailure, console?.ring.failure != consoleFailure { fatalError("console recovered from a failure") }
            if let net { check(net) }
            if services.pages.count != pagesAfterConnect || services.grantTable.freeCount != grantsAfterConnect {
                fatalError("a data path allocated pages or grants")
            }
        }
    }

    // MARK: netfront

    func connectNet() -> NetFront<FuzzServices>? {
        let free = services.grantTable.freeCount
        let writeFailures = services.writeFailures
        let waitsBefore = services.waits
        do {
            let net = try NetFront.connect(services: services, receiveBuffers: receiveBuffers, transmitBuffers: transmitBuffers)
            guard services.waits - waitsBefore <= waitBudget else { fatalError("netfront's handshake waited without bound") }
            backend.receiveBufferLimit = net.receiveBufferCount
            guard net.receiveBufferCount >= 1, net.receiveBufferCount <= 256, net.transmitBufferCount >= 1,
                  net.transmitBufferCount <= 256 else { fatalError("netfront: buffer counts outside 1...256") }
            check(net)
            return net
        } catch {
            guard services.waits - waitsBefore <= waitBudget else { fatalError("netfront's handshake waited without bound") }
            backend.netAbandoned = true
            // Every grant made is withdrawn, but those Xen marks in use.
            if services.grantTable.freeCount + services.grantsMarkedInUse < free { fatalError("netfront leaked grants") }
            // A frontend that published its rings says it is gone (xenbus.h Closed), unless xenstore refused the write.
            let state = services.value(FuzzBackend.netFront + Array("/state".utf8))
            if services.writeFailures == writeFailures, state != nil, state != Array("6".utf8) {
                fatalError("netfront failed its handshake without switching to Closed")
            }
            return nil
        }
    }

    func check(_ net: NetFront<FuzzServices>) {
        guard net.postedReceiveBuffers >= 0, net.postedReceiveBuffers <= net.receiveBufferCount,
              net.transmitBuffersInFlight >= 0, net.transmitBuffersInFlight <= net.transmitBufferCount else {
            fatalError("netfront: buffer accounting out of range")
        }
        let counters = net.counters
        guard counters.framesReceived >= 0, counters.framesTransmitted >= 0, counters.framesDropped >= 0 else {
            fatalError("netfront: negative counter")
        }
    }

    func transmit(_ net: NetFront<FuzzServices>, length: Int) {
        let failed = net.failure != nil
        var filled = false
        let sent = net.transmit(length: length) { buffer in
            guard buffer.count == length else { fatalError("netfront lent a buffer of the wrong size") }
            for index in 0..<buffer.count { buffer[index] = UInt8(truncatingIfNeeded: index) }
            filled = true
        }
        if sent != filled { fatalError("netfront: transmit's result disagrees with its fill") }
        if sent && failed { fatalError("netfront transmitted on a failed device") }
        if sent && (length < 14 || length > 1514) { fatalError("netfront sent a frame of a bad length") }
    }

    func receive(_ net: NetFront<FuzzServices>) {
        let failed = net.failure != nil
        var frames = 0
        while let count = net.receive({ frame -> Int in
            var sum = 0
            for byte in frame { sum &+= Int(byte) }  // every byte readable (ASan checks the page bounds)
            _ = sum
            return frame.count
        }) {
            guard count >= 1, count <= 1514 else { fatalError("netfront delivered a frame of a bad length") }
            frames += 1
            if failed { fatalError("netfront received on a failed device") }
            guard frames <= 600 else { fatalError("netfront's receive never runs dry") }
        }
    }

    // MARK: blkfront

    func connectBlock() -> BlockFront<FuzzServices>? {
        let free = services.grantTable.freeCount
        let writeFailures = services.writeFailures
        let waitsBefore = services.waits
        do {
            let block = try BlockFront.connect(services: services, requestsInFlight: requestsInFlight)
            guard services.waits - waitsBefore <= waitBudget else { fatalError("blkfront's handshake waited without bound") }
            guard block.sectorSize >= 512, block.sectorSize <= 4096, block.sectorSize & (block.sectorSize - 1) == 0,
                  block.sectorCount > 0 else { fatalError("blkfront accepted a bad geometry") }
            backend.blockWireSectors = block.sectorCount * UInt64(block.sectorSize / 512)
            backend.blockReadOnly = block.isReadOnly
            return block
        } catch {
            guard services.waits - waitsBefore <= waitBudget else { fatalError("blkfront's handshake waited without bound") }
            backend.blockAbandoned = true
            if services.grantTable.freeCount + services.grantsMarkedInUse < free { fatalError("blkfront leaked grants") }
            let state = services.value(FuzzBackend.blockFront + Array("/state".utf8))
            if services.writeFailures == writeFailures, state != nil, state != Array("5".utf8) {
                fatalError("blkfront failed its handshake without switching to Closing")
            }
            return nil
        }
    }

    /// A read or write of a few sectors somewhere (in range or not, aligned or not).
    func transfer(_ block: BlockFront<FuzzServices>, writing: Bool) {
        let mode = input.byte()
        let sectors = Int(input.byte() % 40)
        let sector: UInt64
        switch mode & 3 {
        case 0: sector = UInt64(input.word16()) % max(block.sectorCount, 1)
        case 1: sector = block.sectorCount &- UInt64(input.byte() % 4)
        case 2: sector = input.word64()
        default: sector = 0
        }
        let byteCount = sectors * block.sectorSize + (mode & 4 != 0 ? Int(input.byte()) : 0)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 16)
        defer { buffer.deallocate() }
        let base = sector &* UInt64(block.sectorSize)
        for index in 0..<byteCount { buffer[index] = FuzzBackend.pattern(base &+ UInt64(index)) }
        if !writing { buffer.initializeMemory(as: UInt8.self, repeating: 0xee) }
        let failed = block.failure != nil
        do {
            if writing {
                try block.write(sector: sector, from: UnsafeRawBufferPointer(buffer))
            } else {
                try block.read(sector: sector, into: buffer)
            }
        } catch {
            return
        }
        if failed { fatalError("blkfront: a call succeeded on a failed device") }
        if writing && block.isReadOnly { fatalError("blkfront wrote to a read-only disk") }
        if sector > block.sectorCount || UInt64(byteCount / block.sectorSize) > block.sectorCount - sector
            || byteCount % block.sectorSize != 0 {
            fatalError("blkfront accepted a transfer outside the disk")
        }
        if !writing && !backend.dishonest {
            for index in 0..<byteCount where buffer[index] != FuzzBackend.pattern(base &+ UInt64(index)) {
                fatalError("blkfront read the wrong bytes from an honest backend")
            }
        }
    }

    func flush(_ block: BlockFront<FuzzServices>) {
        let failed = block.failure != nil
        do {
            try block.flush()
        } catch {
            return
        }
        if failed || block.isReadOnly { fatalError("blkfront flushed a failed or read-only device") }
    }

    // MARK: console

    func write(_ console: XenConsole<FuzzServices>, count: Int) {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { bytes.deallocate() }
        for index in 0..<count { bytes[index] = UInt8(truncatingIfNeeded: index) }
        do {
            try console.write(UnsafeRawBufferPointer(bytes))
        } catch {}
        if let used = try? console.ring.pendingOutput(), used > XenConsoleRing.outputSize { fatalError("console out ring overfull") }
    }

    func read(_ console: XenConsole<FuzzServices>, count: Int) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        let read: Int
        do {
            read = try console.read(into: buffer)
        } catch {
            return
        }
        if read < 0 || read > count || read > Int(XenConsoleRing.inputSize) { fatalError("console read too much") }
    }
}
