/// netfront's transmit path (io/netif.h "Guest transmit"): one granted page per frame, completions reclaimed without waiting.
import XenABI

extension NetFrontQueues {
    /// Lends an idle transmit page to `fill` and queues `length` bytes of it to the backend. Returns false
    /// without calling `fill` when `length` is outside 14...1514, no buffer or slot is idle, or the device failed.
    /// Never waits for the backend: completed frames are reclaimed first, whatever is still in flight stays so.
    public func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard failure == nil else { return false }
        guard length >= NetFrontLimits.minimumFrame && length <= NetFrontLimits.maximumFrame else {
            counters.transmitRejected += 1
            return false
        }
        reclaimTransmitted()
        guard failure == nil else { return false }
        guard transmitRing.freeRequests > 0, let id = transmitFree.popLast() else {
            counters.transmitBusy += 1
            return false
        }
        fill(UnsafeMutableRawBufferPointer(start: transmitPages[Int(id)], count: length))
        // One slot, no flags: no checksum offload, no extra info, no fragments.
        var request = netif_tx_request_t()
        request.gref = transmitGrants[Int(id)].rawValue
        request.offset = 0
        request.flags = 0
        request.id = id
        request.size = UInt16(truncatingIfNeeded: length)
        do {
            try transmitRing.enqueue(request)
        } catch {
            transmitFree.append(id)
            fail(error)
            return false
        }
        transmitInFlight[Int(id)] = true
        counters.framesTransmitted += 1
        push(transmitRing)
        return true
    }

    /// Frees the buffers of answered tx requests (netif.h "tx response": `{id, status}`). An id not in
    /// flight breaks the device; an error status is counted. With frames still in flight it re-arms
    /// rsp_event (io/ring.h RING_FINAL_CHECK_FOR_RESPONSES), so a full ring is followed by an event.
    func reclaimTransmitted() {
        var budget = 2 * Int(transmitRing.geometry.count) + 2
        while budget > 0 && failure == nil {
            budget -= 1
            let next: netif_tx_response_t?
            do {
                next = try transmitRing.nextResponse()
            } catch {
                fail(error)
                return
            }
            guard let response = next else {
                guard transmitBuffersInFlight > 0 else { return }
                do {
                    if try transmitRing.finalCheckForResponses() { continue }
                } catch {
                    fail(error)
                }
                return
            }
            let id = Int(response.id)
            guard id < transmitInFlight.count, transmitInFlight[id] else {
                fail(.backendProtocolViolation)  // never issued, or answered twice
                return
            }
            transmitInFlight[id] = false
            transmitFree.append(response.id)
            if Int32(response.status) != NETIF_RSP_OKAY { counters.transmitErrors += 1 }
        }
    }
}
