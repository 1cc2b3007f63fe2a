/// netfront's receive path (io/netif.h "Guest receive", rx-copy): checked responses, frames lent to the caller, buffers posted again.
import XenABI

/// A received frame lent out of its buffer until `finishFrame`.
public struct NetFrontFrame {
    /// The receive buffer holding it (the rx request id).
    let buffer: Int
    /// The frame inside the buffer's page.
    public let bytes: UnsafeRawBufferPointer
}

extension NetFrontQueues {
    /// The next deliverable frame, its buffer taken from the backend, or nil when none is waiting (or
    /// the device failed). Give it back with `finishFrame`.
    public func takeFrame() -> NetFrontFrame? {
        guard failure == nil else { return nil }
        reclaimTransmitted()
        // Each pass consumes one response or ends the call. At most `count` responses can be waiting
        // (FrontRing checks rsp_prod), so this bound is only reached by a backend racing us forever.
        var budget = 2 * Int(receiveRing.geometry.count) + 2
        while budget > 0 && failure == nil {
            budget -= 1
            let position = receiveRing.responseConsumer
            let next: netif_rx_response_t?
            do {
                next = try receiveRing.nextResponse()
            } catch {
                fail(error)
                return nil
            }
            guard let response = next else {
                push(receiveRing)
                // io/ring.h RING_FINAL_CHECK_FOR_RESPONSES: re-arm rsp_event, then look once more.
                do {
                    if try receiveRing.finalCheckForResponses() { continue }
                } catch {
                    fail(error)
                }
                return nil
            }
            guard let buffer = acceptReceiveResponse(response, position: position) else { continue }
            counters.framesReceived += 1
            let start = UnsafeRawPointer(receivePages[buffer] + Int(response.offset))
            return NetFrontFrame(buffer: buffer, bytes: UnsafeRawBufferPointer(start: start, count: Int(response.status)))
        }
        push(receiveRing)
        return nil
    }

    /// Posts the frame's buffer to the backend again.
    public func finishFrame(_ frame: NetFrontFrame) {
        guard frame.buffer >= 0, frame.buffer < receivePosted.count, !receivePosted[frame.buffer] else { return }
        postReceiveBuffer(frame.buffer)
        push(receiveRing)
    }

    /// Takes back the buffer behind the response at ring `position`. Returns its id when it holds a frame
    /// to deliver (status and offset checked); otherwise posts it again (a counted drop) or, when the
    /// response breaks the protocol, records the failure, and returns nil.
    func acceptReceiveResponse(_ response: netif_rx_response_t, position: UInt32) -> Int? {
        let buffer = Int(receiveSlotBuffer[Int(position & (receiveRing.geometry.count &- 1))])
        // Our own bookkeeping: every slot between rsp_cons and req_prod holds a posted buffer.
        guard receivePosted[buffer] else {
            fail(.backendProtocolViolation)
            return nil
        }
        if skippingExtraInfo {
            // netif.h netif_extra_info overlays the response: byte 0 its type, byte 1 its flags; its id is
            // not meaningful, the slot's own buffer is the one consumed.
            let extraFlags = withUnsafeBytes(of: response) { $0[1] }
            skippingExtraInfo = UInt32(extraFlags) & XEN_NETIF_EXTRA_FLAG_MORE != 0
            takeReceiveBuffer(buffer)
            postReceiveBuffer(buffer)
            return nil
        }
        // netif.h "rx response" NOTE: a backend answers each request in the slot it was posted in, so the
        // id must be that slot's buffer; anything else is an id never posted, answered twice or reordered.
        guard Int(response.id) == buffer else {
            fail(.backendProtocolViolation)
            return nil
        }
        takeReceiveBuffer(buffer)
        let flags = UInt32(response.flags)
        if skippingFragments {
            skippingFragments = flags & NETRXF_more_data != 0
            postReceiveBuffer(buffer)
            return nil
        }
        // Frames in several slots need feature-sg / feature-gso-*, which netfront does not request.
        if flags & (NETRXF_more_data | NETRXF_extra_info | NETRXF_gso_prefix) != 0 {
            counters.receiveMultiSlot += 1
            skippingExtraInfo = flags & NETRXF_extra_info != 0
            skippingFragments = flags & NETRXF_more_data != 0
            postReceiveBuffer(buffer)
            return nil
        }
        let status = Int(response.status)
        if status < 0 {
            counters.receiveErrors += 1  // NETIF_RSP_ERROR / NETIF_RSP_DROPPED
            postReceiveBuffer(buffer)
            return nil
        }
        guard status > 0, status <= NetFrontLimits.maximumFrame, Int(response.offset) + status <= XenMemory.pageSize else {
            counters.receiveMalformed += 1
            postReceiveBuffer(buffer)
            return nil
        }
        return buffer
    }

    /// The backend gave `buffer` back: it is ours until posted again.
    func takeReceiveBuffer(_ buffer: Int) {
        receivePosted[buffer] = false
        postedReceiveBuffers -= 1
    }

    /// Queues `{id, gref}` for `buffer` (pushed later, in a batch) and records the slot it went to.
    func postReceiveBuffer(_ buffer: Int) {
        var request = netif_rx_request_t()
        request.id = UInt16(truncatingIfNeeded: buffer)
        request.gref = receiveGrants[buffer].rawValue
        let position = receiveRing.requestProducer
        do {
            // Never full: at most receiveBufferCount <= count requests are outstanding.
            try receiveRing.enqueue(request)
        } catch {
            fail(error)
            return
        }
        receiveSlotBuffer[Int(position & (receiveRing.geometry.count &- 1))] = UInt16(truncatingIfNeeded: buffer)
        receivePosted[buffer] = true
        postedReceiveBuffers += 1
    }
}
