/// The TCP connection record (RFC 9293 3.3.1's TCB): state, sequence variables, buffers,
/// timers and congestion state, reused in place from a fixed pool.

import Capabilities

/// Connection states (RFC 9293 3.3.2). `listen` belongs to listeners, never to a connection.
public enum TCPState: Equatable, Sendable {
    case closed, listen, synSent, synReceived, established, finWait1, finWait2, closeWait, closing, lastAck, timeWait

    /// States after the handshake in which the peer's sequence numbers are known.
    var isSynchronized: Bool {
        switch self {
        case .closed, .listen, .synSent, .synReceived: return false
        default: return true
        }
    }
}

/// Why a connection ended other than by an orderly close.
public enum TCPError: Error, Equatable, Sendable {
    /// The peer sent a valid RST.
    case reset
    /// An active open was answered with RST.
    case refused
    /// Retransmissions ran out (RFC 9293 3.8.3).
    case timedOut
}

struct TCPConnection {
    // Ownership of the slot.
    var inUse = false
    var generation: UInt32 = 0
    var listener: Int? = nil
    var accepted = false
    var released = false
    var order: UInt64 = 0
    var error: TCPError? = nil

    var state = TCPState.closed
    var local = IPv4Endpoint(address: .any, port: 0)
    var remote = IPv4Endpoint(address: .any, port: 0)

    // Send sequence space (RFC 9293 3.3.1), plus the highest sequence sent (BSD's snd_max).
    var initialSendSequence = SequenceNumber(0)
    var sendUnacknowledged = SequenceNumber(0)
    var sendNext = SequenceNumber(0)
    var sendMaximum = SequenceNumber(0)
    var sendWindow: UInt32 = 0
    var maximumSendWindow: UInt32 = 0
    var windowUpdateSequence = SequenceNumber(0)
    var windowUpdateAcknowledgment = SequenceNumber(0)
    var sendScale: UInt8 = 0
    var receiveScale: UInt8 = 0
    var sendMSS = 536
    var sendBuffer: RingBuffer
    /// The sequence number of the first byte in `sendBuffer`.
    var sendBufferSequence = SequenceNumber(0)
    var closeRequested = false

    // Receive sequence space.
    var initialReceiveSequence = SequenceNumber(0)
    var receiveNext = SequenceNumber(0)
    var receiveBuffer: RingBuffer
    var outOfOrder: Assembler
    var remoteFinSequence: SequenceNumber? = nil
    var receivedFin = false
    var advertisedWindow: UInt32 = 0

    // Retransmission timer (RFC 6298).
    var smoothedRTT: Duration? = nil
    var rttVariance = Duration.zero
    var baseRTO = Duration.seconds(1)
    var backoff: UInt32 = 0
    var retransmitDeadline: Instant? = nil
    var retransmissions = 0
    var rttSampleSequence: SequenceNumber? = nil
    var rttSampleTime = Instant.zero

    // ACK and probe scheduling.
    var ackNow = false
    var delayedAckDeadline: Instant? = nil
    var unacknowledgedSegments = 0
    var persistDeadline: Instant? = nil
    var persistBackoff: UInt32 = 0
    var probeNow = false
    var timeWaitDeadline: Instant? = nil

    // Congestion control (RFC 5681) and NewReno recovery (RFC 6582).
    var congestionWindow: UInt32 = 0
    var slowStartThreshold: UInt32 = .max
    var duplicateAcks = 0
    var recover = SequenceNumber(0)
    var inFastRecovery = false
    var retransmitNow = false

    init(limits: NetworkLimits) {
        sendBuffer = RingBuffer(capacity: limits.tcpSendBufferSize)
        receiveBuffer = RingBuffer(capacity: limits.tcpReceiveBufferSize)
        outOfOrder = Assembler(slots: limits.tcpOutOfOrderRanges)
    }

    /// Prepares the slot for a new connection, keeping its buffers.
    mutating func reset(local: IPv4Endpoint, remote: IPv4Endpoint, initialSequence: SequenceNumber,
                        ourMSS: Int, limits: NetworkLimits, order: UInt64) {
        let keptGeneration = generation &+ 1
        // Keep the buffers (no allocation per connection): swap them out, rebuild, put back.
        var sendStorage = RingBuffer.placeholder
        var receiveStorage = RingBuffer.placeholder
        var assembler = Assembler.placeholder
        swap(&sendStorage, &sendBuffer)
        swap(&receiveStorage, &receiveBuffer)
        swap(&assembler, &outOfOrder)
        sendStorage.removeAll()
        receiveStorage.removeAll()
        assembler.removeAll()
        self = TCPConnection(sendBuffer: sendStorage, receiveBuffer: receiveStorage, outOfOrder: assembler)
        inUse = true
        generation = keptGeneration
        self.local = local
        self.remote = remote
        self.order = order
        initialSendSequence = initialSequence
        sendUnacknowledged = initialSequence
        sendNext = initialSequence
        sendMaximum = initialSequence
        sendBufferSequence = initialSequence + 1
        recover = initialSequence
        sendMSS = ourMSS
        baseRTO = limits.initialRTO
        // RFC 7323 2.3: the smallest shift that lets the window field cover the buffer.
        var shift: UInt8 = 0
        while shift < 14 && (receiveBuffer.capacity >> Int(shift)) > 0xFFFF { shift += 1 }
        receiveScale = shift
    }

    private init(sendBuffer: RingBuffer, receiveBuffer: RingBuffer, outOfOrder: Assembler) {
        self.sendBuffer = sendBuffer
        self.receiveBuffer = receiveBuffer
        self.outOfOrder = outOfOrder
    }

    /// The current RTO: the estimate doubled per backoff (RFC 6298 5.5), capped.
    func retransmissionTimeout(_ limits: NetworkLimits) -> Duration {
        let shifted = baseRTO.nanoseconds << UInt64(min(backoff, 16))
        return Duration(nanoseconds: min(shifted, limits.maximumRTO.nanoseconds))
    }

    /// RFC 6298 2.2 and 2.3: fold one round-trip measurement into SRTT and RTTVAR.
    mutating func sampleRoundTrip(_ measured: Duration, limits: NetworkLimits) {
        let sample = min(measured, limits.maximumRTO)  // Keeps the arithmetic far from overflow.
        if let smoothed = smoothedRTT {
            let difference = smoothed > sample ? smoothed.nanoseconds - sample.nanoseconds
                                               : sample.nanoseconds - smoothed.nanoseconds
            rttVariance = Duration(nanoseconds: (3 * rttVariance.nanoseconds + difference) / 4)
            smoothedRTT = Duration(nanoseconds: (7 * smoothed.nanoseconds + sample.nanoseconds) / 8)
        } else {
            smoothedRTT = sample
            rttVariance = Duration(nanoseconds: sample.nanoseconds / 2)
        }
        // RTO = SRTT + max(G, 4 * RTTVAR), with G taken as 1 ms, then clamped (2.4, 2.5). The
        // variance term is at least `ackDelayAllowance`, so a peer's delayed ACK is not a loss.
        let variance = max(1_000_000, 4 * rttVariance.nanoseconds, limits.ackDelayAllowance.nanoseconds)
        let candidate = smoothedRTT!.nanoseconds + variance
        baseRTO = Duration(nanoseconds: min(max(candidate, limits.minimumRTO.nanoseconds), limits.maximumRTO.nanoseconds))
    }

    /// Bytes the receive buffer can still take: the receive window in bytes.
    var receiveWindow: Int { receiveBuffer.free }

    /// The window field to send: unscaled in SYN segments (RFC 7323 2.2), else shifted.
    func windowField(forSyn: Bool) -> UInt16 {
        let window = receiveWindow
        if forSyn { return UInt16(min(window, 0xFFFF)) }
        return UInt16(min(window >> Int(receiveScale), 0xFFFF))
    }

    /// Where the FIN goes once the application closed: after every queued byte.
    var finSequence: SequenceNumber? { closeRequested ? sendBufferSequence + sendBuffer.count : nil }

    var finAcknowledged: Bool {
        guard let fin = finSequence else { return false }
        return sendUnacknowledged > fin
    }

    /// Bytes sent and not yet acknowledged (RFC 5681's FlightSize).
    var flightSize: UInt32 { UInt32(truncatingIfNeeded: sendMaximum - sendUnacknowledged) }

    /// The earliest instant any of this connection's timers needs.
    var nextDeadline: Instant? {
        earliest(earliest(retransmitDeadline, delayedAckDeadline), earliest(persistDeadline, timeWaitDeadline))
    }

    /// Whether a segment is waiting to go out now.
    var hasImmediateWork: Bool { ackNow || retransmitNow || probeNow }
}
