/// An SD memory card behind any host controller, as a `BlockDevice` of 512-byte blocks (SD Physical Layer Simplified Specification 9.00).
import Capabilities

/// Reads and writes go to the card one command per run of at most `maximumBlocksPerCommand`
/// blocks: CMD17/CMD24 for one block, CMD18/CMD25 ended by CMD12 for more. SDSC cards are
/// byte-addressed, SDHC and SDXC block-addressed (§4.3.14). After a write the card programs
/// its flash; the next command waits, with CMD13, until it is back in the transfer state with
/// READY_FOR_DATA (§4.3.4), so a write has reached the card when `write` returns.
///
/// Flush: SD cards in the default mode have no volatile cache the host must flush (the
/// cache of §4.16 is off until the host enables it with CMD49, which this driver never does),
/// so `flush()` only waits until the card finished programming.
///
/// Every answer is checked: an R1 error bit is `BlockError.deviceError` (out-of-range and
/// address errors included: the request was validated, so the card disagrees with its CSD),
/// a card that never leaves the busy state is `BlockError.timeout`.
public final class SDCard<Host: SDHostController>: BlockDevice {
    public static var maximumBlocksPerCommand: Int { 1024 }
    /// Identification (ACMD41 until powered up) may take a second (§4.2.3.1).
    public static var powerUpTimeout: UInt64 { 1_000_000_000 }
    /// A write's programming time, generously (§4.6.2.2: 250 ms SDHC, 500 ms SDXC).
    public static var busyTimeout: UInt64 { 1_000_000_000 }
    /// The default-speed bus clock (§4.2: up to 25 MHz; TRAN_SPEED 0x32).
    public static var defaultSpeedHertz: UInt32 { 25_000_000 }
    /// A bound on every polling loop besides its deadline, in case the clock does not advance.
    public static var maximumPolls: Int { 100_000 }
    public static var identificationHertz: UInt32 { 400_000 }

    public let host: Host
    public let sectorSize = 512
    public let sectorCount: UInt64
    public let isReadOnly: Bool
    /// SDHC or SDXC (block addressing); false for SDSC.
    public let isHighCapacity: Bool
    /// Whether the card answered CMD8 (a version 2.00 or later card).
    public let isVersion2: Bool
    public let relativeAddress: UInt16
    /// 1 or 4 data lines.
    public let busWidth: Int
    public let specificData: SDCardSpecificData
    /// The CID register (manufacturer, product name, serial number; §5.2) as the card sent it.
    public let identification: SDResponse
    let addressing: SDAddressing
    let clock: () -> UInt64
    /// Whether a write may still be programming: the next command waits for the card first.
    private var mayBeBusy = false

    init(host: Host, clock: @escaping () -> UInt64, identity: SDCardIdentity) {
        self.host = host
        self.clock = clock
        sectorCount = identity.specificData.blockCount
        isReadOnly = identity.specificData.isWriteProtected
        isHighCapacity = identity.isHighCapacity
        isVersion2 = identity.isVersion2
        relativeAddress = identity.relativeAddress
        busWidth = identity.busWidth
        specificData = identity.specificData
        identification = identity.identification
        addressing = SDAddressing(isBlockAddressed: identity.isHighCapacity)
    }

    public func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        try waitUntilReady()
        var done = 0
        while done < buffer.count {
            let blocks = min((buffer.count - done) / sectorSize, Self.maximumBlocksPerCommand)
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + blocks * sectorSize])
            guard let address = addressing.argument(forSector: sector + UInt64(done / sectorSize)) else {
                throw .outOfRange
            }
            try transfer(.read(address: address, blocks: blocks), data: .read(part, blockSize: sectorSize))
            done += blocks * sectorSize
        }
    }

    public func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        try waitUntilReady()
        var done = 0
        while done < buffer.count {
            let blocks = min((buffer.count - done) / sectorSize, Self.maximumBlocksPerCommand)
            let part = UnsafeRawBufferPointer(rebasing: buffer[done..<done + blocks * sectorSize])
            guard let address = addressing.argument(forSector: sector + UInt64(done / sectorSize)) else {
                throw .outOfRange
            }
            mayBeBusy = true
            try transfer(.write(address: address, blocks: blocks), data: .write(part, blockSize: sectorSize))
            try waitUntilReady()
            done += blocks * sectorSize
        }
    }

    public func flush() throws(BlockError) {
        if isReadOnly { throw .readOnly }
        try waitUntilReady()
    }

    /// The card's status (CMD13).
    public func status() throws(BlockError) -> SDCardStatus {
        let status = SDCardStatus(rawValue: try host.send(.sendStatus(relativeAddress: relativeAddress), data: .none).word0)
        if status.hasError { throw .deviceError }
        return status
    }

    /// One data command. If it fails, the card may be left sending or receiving: CMD12 brings
    /// it back to the transfer state (§4.3.3; ignored when there is nothing to stop).
    private func transfer(_ command: SDCommand, data: SDData) throws(BlockError) {
        do throws(BlockError) {
            let status = SDCardStatus(rawValue: try host.send(command, data: data).word0)
            if status.hasError { throw BlockError.deviceError }
        } catch {
            _ = try? host.send(.stopTransmission, data: .none)
            mayBeBusy = true
            throw error
        }
    }

    /// Waits (CMD13) until the card is in the transfer state and ready for data, if a write
    /// or a failed transfer may have left it busy.
    private func waitUntilReady() throws(BlockError) {
        guard mayBeBusy else { return }
        let deadline = clock() &+ Self.busyTimeout
        var polls = 0
        while true {
            let current = try status()
            if current.isReadyForData && current.state == .transfer {
                mayBeBusy = false
                return
            }
            guard let state = current.state, state == .programming || state == .receivingData
                    || state == .sendingData || state == .transfer else { throw .protocolViolation }
            polls += 1
            if clock() > deadline || polls > Self.maximumPolls { throw .timeout }
        }
    }
}
