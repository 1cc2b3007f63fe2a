/// The Allwinner A10 EMAC (binding allwinner,sun4i-a10-emac) as a `NetworkInterface`: programmed I/O through a receive FIFO and two transmit FIFOs, its PHY over the MDIO registers in the same window.
import ARMBoot
import Capabilities
import Platform

/// The EMAC has no descriptors and no DMA here: each frame is copied word by word between
/// a FIFO data register and one of the driver's two buffers (one for receive, one for
/// transmit), which are lent to the stack. Register layout and the setup sequence follow
/// the A10 EMAC register list (as Linux's sun4i-emac and QEMU's allwinner_emac use it).
///
/// No trap on what the device says: the receive frame count, the per-frame magic word,
/// length and status are all checked, and anything implausible resets the receive FIFO
/// (frames in it are lost; TCP retransmits).
public struct SunxiEMAC: NetworkInterface {
    let base: UInt
    public let macAddress: MACAddress
    public var maximumTransmissionUnit: Int { 1500 }
    /// The receive side is one FIFO and no descriptor ring: a burst it cannot hold is dropped
    /// (QEMU's model drops every frame queued behind a full 32 KiB FIFO; the hardware's is
    /// smaller still), so TCP windows stay at 16 KiB, about eleven full frames.
    public var receiveBurstLimit: Int? { 16 * 1024 }
    /// The PHY's MDIO address (the device tree's `ethernet-phy@N`).
    public let phyAddress: UInt32
    /// Frame buffers, 4-byte aligned: a receive buffer holds a frame with its FCS.
    let receiveBuffer: UnsafeMutableRawBufferPointer
    let transmitBuffer: UnsafeMutableRawBufferPointer
    static let bufferSize = 1536
    /// Transmit channels holding a frame the EMAC has not yet reported sent (bits 0 and 1).
    var transmitBusy: UInt32 = 0
    /// Transmit attempts that found both channels busy since the last completion.
    var stalledAttempts = 0
    public internal(set) var counters = SunxiEMACCounters()

    // Registers (offsets in the EMAC window).
    static let control: UInt = 0x00
    static let transmitMode: UInt = 0x04
    static func transmitControl(_ channel: UInt32) -> UInt { channel == 0 ? 0x0c : 0x10 }
    static let transmitInsert: UInt = 0x14
    static func transmitLength(_ channel: UInt32) -> UInt { channel == 0 ? 0x18 : 0x1c }
    static let transmitData: UInt = 0x24
    static let receiveControl: UInt = 0x3c
    static let receiveData: UInt = 0x4c
    static let receiveFrameCount: UInt = 0x50
    static let interruptControl: UInt = 0x54
    static let interruptStatus: UInt = 0x58
    static let macControl0: UInt = 0x5c
    static let macControl1: UInt = 0x60
    static let macInterPacketGapBackToBack: UInt = 0x64
    static let macInterPacketGap: UInt = 0x68
    static let macCollisionWindow: UInt = 0x6c
    static let macMaximumFrame: UInt = 0x70
    static let macSupport: UInt = 0x74
    static let mdioCommand: UInt = 0x80
    static let mdioAddress: UInt = 0x84
    static let mdioWriteData: UInt = 0x88
    static let mdioReadData: UInt = 0x8c
    static let mdioIndicator: UInt = 0x90
    static let macAddressLow: UInt = 0x98
    static let macAddressHigh: UInt = 0x9c

    // Bits.
    static let controlReset: UInt32 = 1 << 0
    static let controlTransmitEnable: UInt32 = 1 << 1
    static let controlReceiveEnable: UInt32 = 1 << 2
    static let abortedFrameEnable: UInt32 = 1 << 0
    /// Receive filter: pass out-of-range lengths, accept unicast to our address, multicast and broadcast.
    static let receiveFilter: UInt32 = (1 << 8) | (1 << 16) | (1 << 17) | (1 << 20) | (1 << 22)
    static let receiveFlush: UInt32 = 1 << 3
    static let interruptTransmitted: UInt32 = 0b11
    static let interruptReceived: UInt32 = 1 << 8
    /// Full duplex, pad short frames, append the FCS.
    static let macControl1Value: UInt32 = (1 << 0) | (1 << 4) | (1 << 5)
    /// The word before each received frame's header.
    static let receiveMagic: UInt32 = 0x0143_414d
    static let receiveStatusGood: UInt32 = 1 << 7

    nonisolated(unsafe) static var interruptBase: UInt = 0
    /// Transmit completions the interrupt handler took from the status register.
    nonisolated(unsafe) static var completedChannels: UInt32 = 0

    @inline(__always)
    func register(_ offset: UInt) -> Register32 { Register32(base + offset) }

    /// Resets and sets up the EMAC at `base` for `macAddress`, its receive filter and MAC
    /// timing at the data sheet's full-duplex values, and receive and transmit interrupts.
    /// The caller routes the interrupt to `interruptHandler`.
    public init(base: UInt, macAddress: MACAddress, phyAddress: UInt32) {
        self.base = base
        self.macAddress = macAddress
        self.phyAddress = phyAddress
        receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 4)
        transmitBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 4)
        Self.interruptBase = base

        register(Self.control).write(0)
        register(Self.control).write(Self.controlReset)
        register(Self.transmitMode).modify { $0 |= Self.abortedFrameEnable }
        register(Self.receiveControl).write(Self.receiveFilter)
        register(Self.macControl0).write((1 << 2) | (1 << 3))   // receive and transmit flow control
        register(Self.macControl1).write(Self.macControl1Value)
        register(Self.macInterPacketGapBackToBack).write(0x15)
        register(Self.macInterPacketGap).write(0x0c12)
        register(Self.macCollisionWindow).write(0x370f)
        register(Self.macMaximumFrame).write(UInt32(Self.bufferSize))
        register(Self.macSupport).write(1 << 8)                 // 100 Mbit/s
        register(Self.macAddressHigh).write(UInt32(macAddress[0]) << 16 | UInt32(macAddress[1]) << 8 | UInt32(macAddress[2]))
        register(Self.macAddressLow).write(UInt32(macAddress[3]) << 16 | UInt32(macAddress[4]) << 8 | UInt32(macAddress[5]))
        register(Self.control).write(Self.controlReset | Self.controlTransmitEnable | Self.controlReceiveEnable)
        register(Self.interruptStatus).write(0xffff_ffff)
        register(Self.interruptControl).write(Self.interruptReceived | Self.interruptTransmitted)
        Self.completedChannels = 0
    }

    /// The EMAC's interrupt: acknowledge every cause so the line drops, and remember which
    /// transmit channels finished. Frames are read by the event loop's poll, not here.
    public static let interruptHandler: InterruptHandlers.Handler = { _ in
        let status = Register32(interruptBase + interruptStatus)
        let causes = status.read()
        status.write(causes)
        completedChannels |= causes & interruptTransmitted
    }

    /// A PHY register over MDIO, or nil when the management interface stays busy.
    public func readPHY(_ index: UInt32) -> UInt16? {
        register(Self.mdioAddress).write(phyAddress << 8 | (index & 0x1f))
        register(Self.mdioCommand).write(1)
        var spins = 0
        while register(Self.mdioIndicator).read() & 1 != 0 {
            spins += 1
            if spins > 100_000 { return nil }
        }
        register(Self.mdioCommand).write(0)
        return UInt16(truncatingIfNeeded: register(Self.mdioReadData).read())
    }

    /// The PHY's basic status (IEEE 802.3 clause 22, register 1) says the link is up: read
    /// twice, as the link bit latches low.
    public var isLinkUp: Bool {
        _ = readPHY(1)
        guard let status = readPHY(1), status != 0xffff else { return false }
        return status & (1 << 2) != 0
    }

    /// The PHY identifier (registers 2 and 3), or nil when no PHY answers at `phyAddress`.
    public var phyIdentifier: UInt32? {
        guard let high = readPHY(2), let low = readPHY(3), !(high == 0xffff && low == 0xffff) else { return nil }
        return UInt32(high) << 16 | UInt32(low)
    }
}

/// What went through the EMAC, and what it got wrong.
public struct SunxiEMACCounters {
    public var framesReceived = 0
    public var framesSent = 0
    /// Frames the EMAC marked bad (CRC, length), skipped.
    public var receiveErrors = 0
    /// Receive FIFO resets after a lost magic word, an impossible length or frame count.
    public var receiveResets = 0
    /// Transmit channels given up as lost after never reporting completion.
    public var transmitTimeouts = 0
}
