// A virtio-blk device simulated in host memory over an in-RAM disk: serves requests when the driver waits, and can lie about them.
@testable import Virtio

/// How the device misbehaves on the next completions (virtio 1.2 §5.2.6 broken on purpose).
enum BlockDeviceFault: Equatable {
    /// The used entry names this descriptor id instead of the chain's head.
    case identifier(UInt32)
    /// The used entry claims this length.
    case length(UInt32)
    /// This byte goes into the status descriptor.
    case status(UInt8)
    /// The status byte is left as it was.
    case statusUnwritten
    /// The used entry is written twice.
    case replay
    /// The used index advances this many entries more than it wrote.
    case usedIndexJump(UInt16)
    /// Nothing is ever answered.
    case silent
}

/// The device: consumes chains from the queue the driver publishes, acts on the disk, answers.
final class SimulatedBlockDevice: BlockRequestWaiter {
    var ring: SimulatedDevice
    var disk: [UInt8]
    var isReadOnly = false
    var supportsFlush = true
    /// 512-byte sectors whose reads and writes fail with IOERR.
    var failingSectors: Set<UInt64> = []
    var identifier: [UInt8] = Array("seal-disk-0".utf8)
    /// GET_ID writes only the string and its NUL (as QEMU does), still claiming all 20 bytes.
    var identifierWritesOnlyTheString = false
    /// Applied to every completion while set.
    var fault: BlockDeviceFault? = nil
    /// Waits a silent device allows before the request's time is up.
    var patience = 5

    private(set) var notifications = 0
    private(set) var flushes = 0
    private(set) var requests: [BlockRequestHeader] = []
    private(set) var chains: [[SeenDescriptor]] = []
    private var waitsThisRequest = 0

    init<Barrier>(_ queue: BlockQueue<Barrier>, sectors: Int) {
        ring = SimulatedDevice(queue.queue)
        disk = (0..<sectors * 512).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
    }

    func notify() { notifications += 1 }

    func begin() { waitsThisRequest = 0 }

    func wait(until isComplete: () -> Bool) -> Bool {
        waitsThisRequest += 1
        if fault != .silent { serve() }
        return waitsThisRequest <= patience
    }

    /// Answers every chain published so far.
    func serve() {
        while let (head, chain) = ring.takeAvailable() {
            chains.append(chain)
            answer(head: head, chain: chain)
        }
    }

    private func answer(head: UInt16, chain: [SeenDescriptor]) {
        let readable = ring.read(chain)
        let writableLength = chain.filter { $0.flags & 2 != 0 }.reduce(0) { $0 + Int($1.length) }
        guard writableLength >= 1, let header = readable.withUnsafeBytes({ BlockRequestHeader(parsing: $0) }) else {
            return ring.use(identifier: UInt32(head), length: 0)
        }
        requests.append(header)
        let dataLength = writableLength - 1
        var data = [UInt8](repeating: 0, count: dataLength)
        var status = BlockStatus.ok
        let start = Int(header.sector) * 512
        switch BlockRequestType(rawValue: header.type) {
        case .read:
            if start + dataLength > disk.count || touchesFailing(header.sector, bytes: dataLength) {
                status = .ioError
            } else {
                data = Array(disk[start..<start + dataLength])
            }
        case .write:
            let payload = Array(readable.dropFirst(BlockRequestHeader.length))
            if isReadOnly || start + payload.count > disk.count || touchesFailing(header.sector, bytes: payload.count) {
                status = .ioError
            } else {
                disk.replaceSubrange(start..<start + payload.count, with: payload)
            }
        case .flush:
            if supportsFlush { flushes += 1 } else { status = .unsupported }
        case .getIdentifier:
            data = Array((identifier + [UInt8](repeating: 0, count: 20)).prefix(dataLength))
        case nil:
            status = .unsupported
        }
        var identifier = UInt32(head)
        var length = UInt32(writableLength)
        var statusByte = status.rawValue
        var writeStatus = true
        switch fault {
        case .identifier(let value)?: identifier = value
        case .length(let value)?: length = value
        case .status(let value)?: statusByte = value
        case .statusUnwritten?: writeStatus = false
        default: break
        }
        if identifierWritesOnlyTheString, BlockRequestType(rawValue: header.type) == .getIdentifier, chain.count == 3 {
            let target = UnsafeMutableRawPointer(bitPattern: UInt(chain[1].address))!
            for (index, byte) in (self.identifier + [0]).prefix(Int(chain[1].length)).enumerated() {
                target.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
            }
            _ = ring.write([statusByte], into: [chain[2]])
        } else if writeStatus {
            _ = ring.write(data + [statusByte], into: chain)
        } else {
            _ = ring.write(data, into: chain)
        }
        ring.use(identifier: identifier, length: length)
        if fault == .replay { ring.use(identifier: identifier, length: length) }
        if case .usedIndexJump(let extra)? = fault { ring.usedIndex &+= extra }
    }

    private func touchesFailing(_ sector: UInt64, bytes: Int) -> Bool {
        (0..<UInt64(bytes / 512)).contains { failingSectors.contains(sector + $0) }
    }
}

/// A queue of `size` descriptors over fresh memory, moving at most `transferLimit` bytes per request.
func makeBlockQueue(size: Int = 8, transferLimit: Int = 4096) -> BlockQueue<NoBarrier> {
    BlockQueue(queue: makeQueue(size: size), transferLimit: transferLimit)!
}
