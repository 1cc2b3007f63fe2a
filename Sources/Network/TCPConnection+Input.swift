/// TCP segment arrival (RFC 9293 3.10.7), with RFC 5961's RST, SYN and ACK checks, RFC 5681
/// and RFC 6582 congestion responses, and out-of-order data kept in the receive buffer.

import Capabilities

/// What the stack must do after a segment was processed.
enum TCPInputOutcome: Equatable {
    case none
    /// Send `<SEQ=sequence><CTL=RST>` (RFC 9293 3.10.7.3 and 3.10.7.4, "reset").
    case reset(sequence: SequenceNumber)
    /// Send a challenge ACK if the rate limit allows (RFC 5961 7).
    case challenge
    /// The connection reached CLOSED.
    case closed
    /// The handshake completed.
    case established
}

extension TCPConnection {
    mutating func process(_ header: TCPHeader, payload: UnsafeRawBufferPointer, now: Instant,
                          limits: NetworkLimits, counters: inout NetworkCounters) -> TCPInputOutcome {
        let flags = header.flags
        let sequence = header.sequenceNumber
        let acknowledgment = header.acknowledgmentNumber

        if state == .synSent { return processInSynSent(header, now: now, limits: limits, counters: &counters) }
        guard state != .closed && state != .listen else { return .none }

        // RFC 9293 3.10.7.4 first: is the segment in the receive window?
        var payload = payload
        var hasFin = flags.contains(.fin)
        let segmentLength = payload.count + (flags.contains(.syn) ? 1 : 0) + (hasFin ? 1 : 0)
        let window = receiveWindow
        var acceptable: Bool
        if segmentLength == 0 {
            acceptable = window == 0 ? sequence == receiveNext
                                     : receiveNext <= sequence && sequence < receiveNext + window
        } else if window == 0 {
            acceptable = false
        } else {
            let last = sequence + (segmentLength - 1)
            acceptable = (receiveNext <= sequence && sequence < receiveNext + window)
                || (receiveNext <= last && last < receiveNext + window)
        }
        if !acceptable && window == 0 && sequence == receiveNext {
            // A zero window still takes ACKs and RSTs: strip the text and go on.
            acceptable = true
            payload = UnsafeRawBufferPointer(start: nil, count: 0)
            hasFin = false
        }
        if !acceptable {
            if flags.contains(.rst) { return .none }
            counters.tcpOutOfWindow &+= 1
            ackNow = true
            return .none
        }

        // Second, RST (RFC 5961 3.2): exact match resets, otherwise challenge.
        if flags.contains(.rst) {
            guard sequence == receiveNext else { return .challenge }
            counters.tcpResetsReceived &+= 1
            if state != .synReceived || accepted { error = .reset }
            enterClosed()
            return .closed
        }

        // Fourth, SYN in a synchronized state or SYN-RECEIVED (RFC 5961 4.2).
        if flags.contains(.syn) {
            if state == .synReceived && sequence == initialReceiveSequence {
                sendNext = initialSendSequence  // A retransmitted SYN: send the SYN-ACK again.
                return .none
            }
            return .challenge
        }

        // Fifth, the ACK field.
        guard flags.contains(.ack) else { return .none }
        var outcome = TCPInputOutcome.none
        if state == .synReceived {
            guard sendUnacknowledged < acknowledgment && acknowledgment <= sendMaximum else {
                return .reset(sequence: acknowledgment)
            }
            state = .established
            counters.tcpConnectionsEstablished &+= 1
            startCongestionControl()
            outcome = .established
            // This ACK's window is the first scaled one (RFC 7323 2.2).
            windowUpdateSequence = sequence - 1
        }
        // RFC 5961 5.2: an ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] is challenged.
        if acknowledgment > sendMaximum { return .challenge }
        if acknowledgment < sendUnacknowledged - Int(maximumSendWindow) { return .challenge }

        let scaledWindow = UInt32(header.window) << UInt32(sendScale)
        if acknowledgment > sendUnacknowledged {
            acknowledge(upTo: acknowledgment, now: now, limits: limits)
        } else if acknowledgment == sendUnacknowledged && payload.isEmpty && !hasFin
                    && scaledWindow == sendWindow && sendNext > sendUnacknowledged {
            duplicateAcknowledgment(counters: &counters)
        }
        // RFC 9293 3.10.7.4: update the send window from the newest segment only.
        if windowUpdateSequence < sequence
            || (windowUpdateSequence == sequence && windowUpdateAcknowledgment <= acknowledgment) {
            sendWindow = scaledWindow
            maximumSendWindow = max(maximumSendWindow, scaledWindow)
            windowUpdateSequence = sequence
            windowUpdateAcknowledgment = acknowledgment
            if scaledWindow > 0 {
                persistDeadline = nil
                persistBackoff = 0
            }
        }
        if finAcknowledged {
            switch state {
            case .finWait1:
                state = .finWait2
                // Nobody holds this connection any more: do not wait forever for the peer's
                // FIN (RFC 9293 3.6 leaves FIN-WAIT-2 unbounded; orphans get a timer here).
                if released { timeWaitDeadline = now.advanced(by: limits.timeWaitDuration) }
            case .closing: enterTimeWait(now: now, limits: limits)
            case .lastAck:
                enterClosed()
                return .closed
            default: break
            }
        }

        // Seventh, the segment text.
        if !payload.isEmpty && (state == .established || state == .finWait1 || state == .finWait2) {
            receive(payload, at: sequence, now: now, limits: limits, counters: &counters)
        }
        // Eighth, FIN: remembered even out of order, consumed once everything before it is in.
        if hasFin && (state == .established || state == .finWait1 || state == .finWait2 || state == .synReceived) {
            remoteFinSequence = sequence + payload.count
        }
        consumeFinIfReady(now: now, limits: limits)
        if state == .timeWait && hasFin {
            ackNow = true
            enterTimeWait(now: now, limits: limits)  // RFC 9293: restart the 2 MSL timeout.
        }
        return outcome
    }

    private mutating func processInSynSent(_ header: TCPHeader, now: Instant, limits: NetworkLimits,
                                           counters: inout NetworkCounters) -> TCPInputOutcome {
        let flags = header.flags
        let acknowledgment = header.acknowledgmentNumber
        if flags.contains(.ack) && (acknowledgment <= initialSendSequence || acknowledgment > sendMaximum) {
            return flags.contains(.rst) ? .none : .reset(sequence: acknowledgment)
        }
        if flags.contains(.rst) {
            guard flags.contains(.ack) else { return .none }
            counters.tcpResetsReceived &+= 1
            error = .refused
            enterClosed()
            return .closed
        }
        guard flags.contains(.syn) else { return .none }
        initialReceiveSequence = header.sequenceNumber
        receiveNext = header.sequenceNumber + 1
        applySynOptions(header, weSentWindowScale: true)
        sendWindow = UInt32(header.window)
        maximumSendWindow = sendWindow
        windowUpdateSequence = header.sequenceNumber
        windowUpdateAcknowledgment = acknowledgment
        if flags.contains(.ack) {
            if retransmissions == 0 { sampleRoundTrip(now.duration(since: rttSampleTime), limits: limits) }
            sendUnacknowledged = acknowledgment
            retransmitDeadline = nil
            retransmissions = 0
            backoff = 0
            rttSampleSequence = nil
            state = .established
            counters.tcpConnectionsEstablished &+= 1
            startCongestionControl()
            ackNow = true
            return .established
        }
        // Simultaneous open (RFC 9293 3.5): answer with SYN-ACK from SYN-RECEIVED.
        state = .synReceived
        sendNext = initialSendSequence
        return .none
    }

    /// Takes the peer's MSS and window scale from its SYN (RFC 9293 3.7.1, RFC 7323 2.2).
    mutating func applySynOptions(_ header: TCPHeader, weSentWindowScale: Bool) {
        // RFC 9293 3.7.1: without the option, assume 536.
        let peerMSS = Int(header.maximumSegmentSize ?? 536)
        sendMSS = max(64, min(peerMSS, sendMSS))
        if let scale = header.windowScale, weSentWindowScale {
            sendScale = scale
        } else {
            sendScale = 0
            receiveScale = 0
        }
    }

    /// RFC 5681 3.1: IW = min(4 MSS, max(2 MSS, 4380)).
    mutating func startCongestionControl() {
        let mss = UInt32(sendMSS)
        congestionWindow = min(4 * mss, max(2 * mss, 4380))
        slowStartThreshold = .max
    }

    /// New data acknowledged: RTT sample (Karn), buffer release, congestion window growth or
    /// NewReno partial-ACK handling, timer restart.
    private mutating func acknowledge(upTo acknowledgment: SequenceNumber, now: Instant, limits: NetworkLimits) {
        let acked = UInt32(truncatingIfNeeded: acknowledgment - sendUnacknowledged)
        if let sample = rttSampleSequence, acknowledgment >= sample {
            sampleRoundTrip(now.duration(since: rttSampleTime), limits: limits)
            rttSampleSequence = nil
        }
        let dataAcked = min(max(acknowledgment - sendBufferSequence, 0), sendBuffer.count)
        sendBuffer.discard(dataAcked)
        sendBufferSequence = sendBufferSequence + dataAcked
        sendUnacknowledged = acknowledgment
        if sendNext < acknowledgment { sendNext = acknowledgment }
        retransmissions = 0
        backoff = 0
        let mss = UInt32(sendMSS)
        if inFastRecovery {
            if acknowledgment >= recover {
                // RFC 6582 3.2 step 3, full acknowledgment: deflate to ssthresh.
                congestionWindow = min(slowStartThreshold, max(flightSize, mss) + mss)
                inFastRecovery = false
                duplicateAcks = 0
            } else {
                // Partial acknowledgment: retransmit the next hole and deflate by the amount
                // acknowledged, adding back one MSS when at least that much was (step 3).
                retransmitNow = true
                congestionWindow = congestionWindow > acked ? congestionWindow - acked : 0
                if acked >= mss { congestionWindow += mss }
                congestionWindow = max(congestionWindow, mss)
            }
        } else {
            duplicateAcks = 0
            if congestionWindow < slowStartThreshold {
                congestionWindow = min(congestionWindow + min(acked, mss), 1 << 30)  // RFC 5681 (2), RFC 3465's L = 1 MSS.
            } else {
                congestionWindow = min(congestionWindow + max(1, mss * mss / max(congestionWindow, 1)), 1 << 30)  // RFC 5681 (3).
            }
        }
        // RFC 6298 5.2 and 5.3.
        retransmitDeadline = sendMaximum > sendUnacknowledged ? now.advanced(by: retransmissionTimeout(limits)) : nil
    }

    /// RFC 5681 3.2 and RFC 6582 3.2: the third duplicate ACK starts fast retransmit.
    private mutating func duplicateAcknowledgment(counters: inout NetworkCounters) {
        duplicateAcks += 1
        let mss = UInt32(sendMSS)
        if inFastRecovery {
            congestionWindow = min(congestionWindow + mss, 1 << 30)  // Each duplicate: a segment left the network.
        } else if duplicateAcks == 3 && sendUnacknowledged - 1 >= recover {
            slowStartThreshold = max(flightSize / 2, 2 * mss)
            recover = sendMaximum
            congestionWindow = slowStartThreshold + 3 * mss
            inFastRecovery = true
            retransmitNow = true
            rttSampleSequence = nil  // Karn: no sample across a retransmission.
            counters.tcpFastRetransmits &+= 1
        }
    }

    /// Places text in the receive buffer: in order it becomes readable (with any queued
    /// out-of-order data it joins); ahead of a hole it is remembered in the assembler.
    private mutating func receive(_ payload: UnsafeRawBufferPointer, at sequence: SequenceNumber, now: Instant,
                                  limits: NetworkLimits, counters: inout NetworkCounters) {
        var bytes = payload
        var offset = Int(sequence.distance(from: receiveNext))
        if offset < 0 {
            let trim = -offset
            guard trim < bytes.count else { return }
            bytes = bytes.slice(trim..<bytes.count)
            offset = 0
        }
        let window = receiveWindow
        guard offset < window else { ackNow = true; return }
        let length = min(bytes.count, window - offset)
        receiveBuffer.write(bytes.slice(0..<length), at: receiveBuffer.count + offset)
        if offset == 0 {
            let hadHole = !outOfOrder.isEmpty
            let advance = length + outOfOrder.advance(by: length)
            receiveBuffer.commit(advance)
            receiveNext = receiveNext + advance
            if hadHole {
                ackNow = true  // RFC 5681 4.2: ACK at once when a hole fills.
            } else {
                // RFC 5681 4.2 / RFC 1122 4.2.3.2: ACK every second segment, else within the delay.
                unacknowledgedSegments += 1
                if unacknowledgedSegments >= 2 {
                    ackNow = true
                } else if delayedAckDeadline == nil {
                    delayedAckDeadline = now.advanced(by: limits.delayedAckTimeout)
                }
            }
        } else {
            if outOfOrder.insert(offset..<offset + length) {
                counters.tcpOutOfOrderQueued &+= 1
            } else {
                counters.tcpOutOfOrderDropped &+= 1
            }
            ackNow = true  // RFC 5681 4.2: a duplicate ACK at once for out-of-order data.
        }
    }

    private mutating func consumeFinIfReady(now: Instant, limits: NetworkLimits) {
        guard let fin = remoteFinSequence, fin == receiveNext, !receivedFin else { return }
        receiveNext = receiveNext + 1
        receivedFin = true
        ackNow = true
        switch state {
        case .synReceived, .established: state = .closeWait
        case .finWait1: if finAcknowledged { enterTimeWait(now: now, limits: limits) } else { state = .closing }
        case .finWait2: enterTimeWait(now: now, limits: limits)
        default: break
        }
    }

    mutating func enterTimeWait(now: Instant, limits: NetworkLimits) {
        state = .timeWait
        retransmitDeadline = nil
        persistDeadline = nil
        delayedAckDeadline = nil
        timeWaitDeadline = now.advanced(by: limits.timeWaitDuration)
    }

    mutating func enterClosed() {
        state = .closed
        retransmitDeadline = nil
        persistDeadline = nil
        delayedAckDeadline = nil
        timeWaitDeadline = nil
        ackNow = false
        retransmitNow = false
        probeNow = false
    }
}
