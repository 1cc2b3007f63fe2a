/// A Linux TAP device (/dev/net/tun, IFF_TAP | IFF_NO_PI) as a NetworkInterface: nonblocking reads and writes of whole Ethernet frames.
import Capabilities
import Glibc

struct TAPInterface: NetworkInterface {
    /// <linux/if_tun.h>, which Glibc's module does not import.
    private static let setInterface: UInt = 0x4004_54ca  // TUNSETIFF = _IOW('T', 202, int)
    private static let tapMode: Int16 = 0x0002           // IFF_TAP
    private static let noPacketInformation: Int16 = 0x1000  // IFF_NO_PI
    private static let interfaceNameSize = 16             // IFNAMSIZ
    private static let frameCapacity = 2048

    let descriptor: Int32
    let macAddress: MACAddress
    let maximumTransmissionUnit = 1500
    /// Frames are read into and written from these, allocated once for the life of the process.
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private let transmitBuffer: UnsafeMutableRawBufferPointer
    /// Frames the kernel would not take (it drops rather than blocks a TAP writer) and
    /// received frames longer than the MTU, which the stack could not use anyway.
    private(set) var transmitFailures = 0
    private(set) var oversizedFrames = 0

    enum OpenError: Error {
        case nameTooLong
        case open(errno: Int32)
        case attach(errno: Int32)
    }

    /// Attaches to the TAP device `name` (creating it if this process may). Our MAC is
    /// derived from the name: stable across runs, locally administered, unicast, and not
    /// the kernel side's own address (that one belongs to the host end of the wire).
    init(name: String) throws(OpenError) {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count < TAPInterface.interfaceNameSize else { throw .nameTooLong }
        let descriptor = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw .open(errno: errno) }
        // struct ifreq: the name in the first 16 bytes, then ifr_flags (a short) in the union.
        var request = [UInt8](repeating: 0, count: 40)
        for (index, byte) in nameBytes.enumerated() { request[index] = byte }
        let flags = TAPInterface.tapMode | TAPInterface.noPacketInformation
        withUnsafeBytes(of: flags) { for index in 0..<2 { request[16 + index] = $0[index] } }
        let result = request.withUnsafeMutableBytes { ioctl(descriptor, TAPInterface.setInterface, $0.baseAddress!) }
        guard result == 0 else {
            let failure = errno
            close(descriptor)
            throw .attach(errno: failure)
        }
        self.descriptor = descriptor
        macAddress = TAPInterface.macAddress(for: nameBytes)
        receiveBuffer = .allocate(byteCount: TAPInterface.frameCapacity, alignment: 16)
        transmitBuffer = .allocate(byteCount: TAPInterface.frameCapacity, alignment: 16)
    }

    /// 02:xx:xx:xx:xx:xx from a 64-bit FNV-1a hash of the name (and a fixed tag, so the
    /// address differs from anything else hashed the same way).
    static func macAddress(for name: [UInt8]) -> MACAddress {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("seal-host-tap:".utf8) + name {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        // First byte: locally administered (bit 1) set, group (bit 0) clear.
        let first = UInt64((UInt8(truncatingIfNeeded: hash >> 40) & 0xfc) | 0x02)
        return MACAddress(rawValue: first << 40 | (hash & 0xff_ffff_ffff))
    }

    mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        while true {
            let count = read(descriptor, receiveBuffer.baseAddress, receiveBuffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                return nil  // EAGAIN: nothing waiting (or the device went away)
            }
            if count > 14 + maximumTransmissionUnit {
                oversizedFrames += 1
                continue
            }
            return body(UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<count]))
        }
    }

    mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard length >= 0, length <= 14 + maximumTransmissionUnit else { return false }
        let frame = UnsafeMutableRawBufferPointer(rebasing: transmitBuffer[0..<length])
        fill(frame)
        while true {
            if write(descriptor, transmitBuffer.baseAddress, length) == length { return true }
            if errno == EINTR { continue }
            // Like a frame lost on the wire: the buffer is free again, TCP retransmits.
            transmitFailures += 1
            return true
        }
    }
}
