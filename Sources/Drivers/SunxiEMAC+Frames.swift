/// Frames through the EMAC's FIFOs: checked receive with FIFO-reset recovery, transmit on whichever of the two channels is free.
import ARMBoot
import Capabilities
import Platform

extension SunxiEMAC {
    /// Frames the receive FIFO can plausibly hold (32 KiB of minimum-size frames in QEMU's
    /// model, less on the silicon): a larger count means the register is not to be believed.
    static let plausibleFrameCount: UInt32 = 1024
    /// Smallest and largest length word: 60 bytes plus FCS, and a VLAN-tagged 1518 plus FCS.
    static let shortestFrame = 64
    static let longestFrame = 1522
    /// Bad-status frames skipped in one `receive` call before it gives the loop back.
    static let skipsPerCall = 8
    /// Transmit attempts with both channels busy before they are taken as lost.
    static let stallLimit = 10_000

    public mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        var skipped = 0
        while skipped < Self.skipsPerCall {
            let frames = register(Self.receiveFrameCount).read()
            guard frames != 0 else { return nil }
            guard frames <= Self.plausibleFrameCount,
                  register(Self.receiveData).read() == Self.receiveMagic else {
                resetReceive()
                return nil
            }
            let header = register(Self.receiveData).read()
            let length = Int(header & 0xffff)
            guard length >= Self.shortestFrame, length <= Self.longestFrame, length <= receiveBuffer.count else {
                resetReceive()
                return nil
            }
            // Every word of the frame leaves the FIFO, good or bad, so the next magic word is next.
            let words = (length + 3) / 4
            let receiveData = register(Self.receiveData)
            for index in 0..<words {
                receiveBuffer.storeBytes(of: receiveData.read(), toByteOffset: 4 * index, as: UInt32.self)
            }
            guard header >> 16 & Self.receiveStatusGood != 0 else {
                counters.receiveErrors += 1
                skipped += 1
                continue
            }
            counters.framesReceived += 1
            return body(UnsafeRawBufferPointer(start: receiveBuffer.baseAddress, count: length - 4))
        }
        return nil
    }

    /// Recovers from a receive FIFO the driver has lost its place in (or that overflowed):
    /// receive off, flush (bounded wait for the flush bit, cleared by hand where a model keeps
    /// it), frame count zeroed (QEMU's model empties the FIFO on that), receive on.
    mutating func resetReceive() {
        counters.receiveResets += 1
        register(Self.control).modify { $0 &= ~Self.controlReceiveEnable }
        register(Self.receiveControl).modify { $0 |= Self.receiveFlush }
        var spins = 0
        while spins < 10_000, register(Self.receiveControl).read() & Self.receiveFlush != 0 { spins += 1 }
        register(Self.receiveControl).modify { $0 &= ~Self.receiveFlush }
        register(Self.receiveFrameCount).write(0)
        register(Self.control).modify { $0 |= Self.controlReceiveEnable }
    }

    public mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard length > 0, length <= maximumTransmissionUnit + 14 else { return false }
        collectTransmitted()
        let channel: UInt32
        if transmitBusy & 1 == 0 {
            channel = 0
        } else if transmitBusy & 2 == 0 {
            channel = 1
        } else {
            stalledAttempts += 1
            if stalledAttempts >= Self.stallLimit {
                // Completions that never came: take both channels back (a frame may be lost).
                counters.transmitTimeouts += 1
                transmitBusy = 0
                stalledAttempts = 0
            }
            return false
        }
        fill(UnsafeMutableRawBufferPointer(start: transmitBuffer.baseAddress, count: length))
        register(Self.transmitInsert).write(channel)
        let transmitData = register(Self.transmitData)
        for index in 0..<(length + 3) / 4 {
            transmitData.write(transmitBuffer.load(fromByteOffset: 4 * index, as: UInt32.self))
        }
        register(Self.transmitLength(channel)).write(UInt32(length))
        register(Self.transmitControl(channel)).modify { $0 |= 1 }
        transmitBusy |= 1 << channel
        counters.framesSent += 1
        return true
    }

    /// Channels the EMAC finished with: from the interrupt handler, or from the status
    /// register when the interrupt has not been taken yet (interrupts masked meanwhile).
    private mutating func collectTransmitted() {
        let saved = arm_save_and_disable_interrupts()
        let status = register(Self.interruptStatus).read() & Self.interruptTransmitted
        if status != 0 { register(Self.interruptStatus).write(status) }
        let done = status | Self.completedChannels
        Self.completedChannels = 0
        arm_restore_interrupts(saved)
        if done != 0 {
            transmitBusy &= ~done
            stalledAttempts = 0
        }
    }
}
