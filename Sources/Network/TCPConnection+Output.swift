/// Deciding the next TCP segment to send: SYN, retransmission, new data within the send and
/// congestion windows, FIN, zero-window probe, or an ACK.

import Capabilities

/// One segment to emit: header fields plus a range of the send buffer as payload.
struct TCPPlannedSegment: Equatable {
    var sequence: SequenceNumber
    var acknowledgment: SequenceNumber
    var flags: TCPFlags
    var window: UInt16
    var maximumSegmentSize: UInt16? = nil
    var windowScale: UInt8? = nil
    /// Offset of the payload in the send buffer.
    var payloadOffset = 0
    var payloadLength = 0
    var isRetransmission = false
}

extension TCPConnection {
    /// The next segment to send now, updating the send state as if it went out; nil when
    /// there is nothing to send.
    mutating func nextSegment(now: Instant, limits: NetworkLimits, ourMSS: Int) -> TCPPlannedSegment? {
        switch state {
        case .closed, .listen:
            return nil
        case .synSent, .synReceived:
            guard sendNext == initialSendSequence else {
                return ackNow ? pureAck(now: now) : nil
            }
            // RFC 7323 1.3: offer a scale in SYN; in SYN-ACK only when the SYN offered one.
            let offerScale = state == .synSent || sendScale != 0 || receiveScale != 0
            var segment = TCPPlannedSegment(sequence: initialSendSequence, acknowledgment: receiveNext,
                                            flags: state == .synSent ? [.syn] : [.syn, .ack],
                                            window: windowField(forSyn: true),
                                            maximumSegmentSize: UInt16(truncatingIfNeeded: ourMSS),
                                            windowScale: offerScale ? receiveScale : nil)
            segment.isRetransmission = sendMaximum != initialSendSequence
            sendNext = initialSendSequence + 1
            if !segment.isRetransmission {
                rttSampleSequence = sendNext
                rttSampleTime = now
            }
            sendMaximum = SequenceNumber.max(sendMaximum, sendNext)
            if retransmitDeadline == nil { retransmitDeadline = now.advanced(by: retransmissionTimeout(limits)) }
            noteAckSent(window: UInt32(segment.window))
            return segment
        default:
            break
        }
        if state == .timeWait { return ackNow ? pureAck(now: now) : nil }

        let dataEnd = sendBufferSequence + sendBuffer.count
        if retransmitNow {
            // Fast retransmit or a NewReno partial ACK: resend one segment from SND.UNA.
            retransmitNow = false
            let length = min(sendMSS, max(dataEnd - sendUnacknowledged, 0))
            let fin = finSequence.map { sendUnacknowledged + length == $0 && sendMaximum > $0 } ?? false
            if length > 0 || fin {
                return dataSegment(from: sendUnacknowledged, length: length, fin: fin, now: now, limits: limits,
                                   advance: false)
            }
        }
        if probeNow {
            // Zero-window probe, as Linux sends it: an already-acknowledged sequence number
            // makes the peer answer with an ACK carrying its current window (RFC 9293 3.8.6.1).
            probeNow = false
            persistDeadline = now.advanced(by: persistInterval(limits))
            var segment = pureAck(now: now)
            segment.sequence = sendUnacknowledged - 1
            return segment
        }

        // Limited transmit (RFC 3042): each of the first two duplicate ACKs lets one new
        // segment past the congestion window, so small windows still reach three duplicates.
        let limitedTransmit = !inFastRecovery && duplicateAcks > 0 && duplicateAcks < 3
            ? UInt32(duplicateAcks * sendMSS) : 0
        let usableWindow = min(sendWindow, congestionWindow + limitedTransmit)
        let inFlight = UInt32(truncatingIfNeeded: sendNext - sendUnacknowledged)
        let usable = usableWindow > inFlight ? Int(usableWindow - inFlight) : 0
        let available = max(dataEnd - sendNext, 0)
        var length = min(sendMSS, available, usable)
        // Sender silly-window avoidance (RFC 9293 3.8.6.2.1): a segment the window cuts
        // short of a full MSS waits while data is in flight; the ACK brings a larger window.
        if length < sendMSS && length < available && inFlight > 0 { length = 0 }
        var fin = false
        if let finAt = finSequence, sendNext <= finAt, sendNext + length == finAt {
            fin = true
        }
        if length > 0 || fin {
            return dataSegment(from: sendNext, length: length, fin: fin, now: now, limits: limits, advance: true)
        }
        // RFC 9293 3.8.6.1: with data waiting and a zero window, probe on the persist timer.
        if available > 0 && sendWindow == 0 && sendNext == sendUnacknowledged && persistDeadline == nil {
            persistDeadline = now.advanced(by: persistInterval(limits))
        }
        if ackNow { return pureAck(now: now) }
        return nil
    }

    private func persistInterval(_ limits: NetworkLimits) -> Duration {
        let shifted = baseRTO.nanoseconds << UInt64(min(persistBackoff, 16))
        return Duration(nanoseconds: min(shifted, limits.maximumRTO.nanoseconds))
    }

    private mutating func dataSegment(from sequence: SequenceNumber, length: Int, fin: Bool, now: Instant,
                                      limits: NetworkLimits, advance: Bool) -> TCPPlannedSegment {
        var flags: TCPFlags = [.ack]
        let end = sequence + length
        if end == sendBufferSequence + sendBuffer.count && length > 0 { flags.insert(.psh) }
        if fin { flags.insert(.fin) }
        var segment = TCPPlannedSegment(sequence: sequence, acknowledgment: receiveNext, flags: flags,
                                        window: windowField(forSyn: false))
        segment.payloadOffset = sequence - sendBufferSequence
        segment.payloadLength = length
        segment.isRetransmission = sequence < sendMaximum
        let segmentEnd = end + (fin ? 1 : 0)
        if advance {
            sendNext = segmentEnd
            if !segment.isRetransmission && rttSampleSequence == nil {
                rttSampleSequence = segmentEnd
                rttSampleTime = now
            }
        }
        if segment.isRetransmission { rttSampleSequence = nil }  // Karn's algorithm.
        sendMaximum = SequenceNumber.max(sendMaximum, segmentEnd)
        if retransmitDeadline == nil { retransmitDeadline = now.advanced(by: retransmissionTimeout(limits)) }
        noteAckSent(window: UInt32(segment.window) << UInt32(receiveScale))
        return segment
    }

    private mutating func pureAck(now: Instant) -> TCPPlannedSegment {
        let segment = TCPPlannedSegment(sequence: sendNext, acknowledgment: receiveNext, flags: [.ack],
                                        window: windowField(forSyn: false))
        noteAckSent(window: UInt32(segment.window) << UInt32(receiveScale))
        return segment
    }

    /// Every segment carries an ACK, so whatever ACK was owed is paid.
    private mutating func noteAckSent(window: UInt32) {
        ackNow = false
        delayedAckDeadline = nil
        unacknowledgedSegments = 0
        advertisedWindow = window
    }

    /// Runs expired timers (RFC 6298 5.4-5.7 for retransmission); returns false when the
    /// connection gave up and must be reset.
    mutating func runTimers(now: Instant, limits: NetworkLimits, counters: inout NetworkCounters) -> Bool {
        if let deadline = retransmitDeadline, deadline <= now {
            retransmissions += 1
            let handshaking = state == .synSent || state == .synReceived
            let limit = handshaking ? limits.maximumSynRetransmissions : limits.maximumRetransmissions
            if retransmissions > limit {
                error = .timedOut
                enterClosed()
                return false
            }
            counters.tcpTimeouts &+= 1
            if !handshaking {
                // RFC 5681 (4): halve into ssthresh; the loss window is one segment.
                let mss = UInt32(sendMSS)
                slowStartThreshold = max(flightSize / 2, 2 * mss)
                congestionWindow = mss
                inFastRecovery = false
                duplicateAcks = 0
                recover = sendMaximum  // RFC 6582 4: no fast retransmit for data sent before the timeout.
            }
            backoff += 1
            sendNext = sendUnacknowledged  // Go back to the first unacknowledged byte.
            if handshaking { sendNext = initialSendSequence }
            rttSampleSequence = nil
            retransmitDeadline = now.advanced(by: retransmissionTimeout(limits))
        }
        if let deadline = delayedAckDeadline, deadline <= now {
            delayedAckDeadline = nil
            ackNow = true
        }
        if let deadline = persistDeadline, deadline <= now {
            persistDeadline = nil
            persistBackoff = min(persistBackoff + 1, 16)
            probeNow = true
            counters.tcpZeroWindowProbes &+= 1
        }
        if let deadline = timeWaitDeadline, deadline <= now {
            enterClosed()
        }
        return true
    }
}
