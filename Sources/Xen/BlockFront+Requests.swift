/// blkfront's request engine: split a transfer into blkif requests, keep several on the ring, check every response.
import Capabilities
import XenABI

extension BlockFront {
    /// Runs one read, write or flush to completion. `byteCount` is a validated whole number of
    /// sectors (0 for a flush). On a device error the requests already on the ring are still
    /// collected (their bounce pages are in use) before the error is thrown.
    func transfer(operation: UInt8, sector: UInt64, byteCount: Int,
                  destination: UnsafeMutableRawBufferPointer?, source: UnsafeRawBufferPointer?) throws(BlockError) {
        let requestBytes = Self.segmentsPerRequest * XenMemory.pageSize
        let requestCount = byteCount == 0 ? 1 : (byteCount + requestBytes - 1) / requestBytes
        // Validated: sector * sectorSize + byteCount fits in the disk, whose byte size fits in 64 bits.
        let firstWireSector = sector * UInt64(sectorSize / Self.wireSectorSize)
        var submitted = 0
        var outstanding = 0
        var deviceFailure: BlockError?
        var lastProgress = services.nanoseconds
        var idleWakeups = 0

        while true {
            // Fill free slots while no request failed.
            var queued = false
            while deviceFailure == nil, submitted < requestCount, let slot = freeSlots.last {
                let offset = submitted * requestBytes
                let count = min(requestBytes, byteCount - offset)
                // The id names the slot (low byte) and the request (the rest): a stale or repeated
                // answer for a slot that was reused does not match.
                requestSequence &+= 1
                let id = UInt64(slot) | requestSequence << 8
                let request = makeRequest(operation: operation, id: id, slot: slot, bufferOffset: offset, byteCount: count,
                                          wireSector: firstWireSector + UInt64(offset / Self.wireSectorSize),
                                          source: source)
                do {
                    try ring.enqueue(request)
                } catch {
                    throw fail(error)
                }
                freeSlots.removeLast()
                slots[slot] = RequestSlot(busy: true, id: id, operation: operation, bufferOffset: offset, byteCount: count)
                submitted += 1
                outstanding += 1
                queued = true
            }
            if queued {
                do {
                    if try ring.pushRequests() { services.notify(port: port) }
                } catch {
                    throw fail(error)
                }
            }
            if outstanding == 0 && (submitted == requestCount || deviceFailure != nil) { break }

            // Take every response there is; each must answer an outstanding request.
            var progressed = false
            do {
                while let response = try ring.nextResponse() {
                    if let error = try complete(response, destination: destination), deviceFailure == nil {
                        deviceFailure = error
                    }
                    outstanding -= 1
                    progressed = true
                }
            } catch {
                throw fail(error)
            }
            if progressed {
                lastProgress = services.nanoseconds
                idleWakeups = 0
                continue
            }
            do {
                if try ring.finalCheckForResponses() { continue }
            } catch {
                throw fail(error)
            }
            // Nothing yet: idle until an event or the next poll, within the request's time.
            let now = services.nanoseconds
            let waited = now &- lastProgress
            guard waited < requestTimeout, idleWakeups < wakeupLimit else { throw fail(.blockRequestTimeout) }
            idleWakeups += 1
            services.wait(until: now &+ min(pollInterval, requestTimeout - waited))
        }
        if let deviceFailure { throw deviceFailure }
    }

    /// A blkif request for `slot`, its data copied into the slot's bounce pages for a write.
    func makeRequest(operation: UInt8, id: UInt64, slot: Int, bufferOffset: Int, byteCount: Int, wireSector: UInt64,
                     source: UnsafeRawBufferPointer?) -> blkif_request_t {
        var request = blkif_request_t()
        request.operation = operation
        request.handle = handle
        request.id = id
        guard byteCount > 0 else { return request }  // a flush: no segments, sector_number 0
        request.sector_number = wireSector
        let pageCount = (byteCount + XenMemory.pageSize - 1) / XenMemory.pageSize
        request.nr_segments = UInt8(pageCount)
        let stride = MemoryLayout<blkif_request_segment>.stride
        withUnsafeMutableBytes(of: &request.seg) { segments in
            for index in 0..<pageCount {
                let pageIndex = slot * Self.segmentsPerRequest + index
                let pageBytes = min(XenMemory.pageSize, byteCount - index * XenMemory.pageSize)
                if let source, let base = source.baseAddress {
                    bouncePages[pageIndex].copyMemory(from: base + bufferOffset + index * XenMemory.pageSize,
                                                      byteCount: pageBytes)
                }
                var segment = blkif_request_segment()
                segment.gref = bounceGrants[pageIndex].rawValue
                segment.first_sect = 0
                segment.last_sect = UInt8(pageBytes / Self.wireSectorSize - 1)  // inclusive
                segments.storeBytes(of: segment, toByteOffset: index * stride, as: blkif_request_segment.self)
            }
        }
        return request
    }

    /// Checks a response against its request and frees the slot. Returns the device's error for
    /// BLKIF_RSP_ERROR / _EOPNOTSUPP; throws when the response breaks the protocol.
    func complete(_ response: blkif_response_t, destination: UnsafeMutableRawBufferPointer?) throws(XenError) -> BlockError? {
        let slot = Int(response.id & 0xff)
        guard slot < slots.count, slots[slot].busy, slots[slot].id == response.id else {
            throw .blockResponseUnexpected(id: response.id)
        }
        let request = slots[slot]
        guard response.operation == request.operation else {
            throw .blockResponseMismatch(id: response.id, operation: response.operation)
        }
        let result: BlockError?
        switch Int32(response.status) {
        case BLKIF_RSP_OKAY:
            if let destination, let base = destination.baseAddress {
                copyOut(slot: slot, request: request, to: base)
            }
            result = nil
        case BLKIF_RSP_ERROR:
            result = .deviceError
        case BLKIF_RSP_EOPNOTSUPP:
            // io/blkif.h: optional operations "may still be returned at any time with EOPNOTSUPP".
            if request.operation == UInt8(BLKIF_OP_FLUSH_DISKCACHE) {
                hasFlush = false
                result = .unsupported
            } else {
                result = .deviceError
            }
        default:
            throw .blockResponseStatusUnknown(response.status)
        }
        slots[slot] = RequestSlot()
        freeSlots.append(slot)
        return result
    }

    /// Copies a completed read from the slot's bounce pages into the caller's buffer.
    func copyOut(slot: Int, request: RequestSlot, to base: UnsafeMutableRawPointer) {
        var copied = 0
        var pageIndex = slot * Self.segmentsPerRequest
        while copied < request.byteCount {
            let count = min(XenMemory.pageSize, request.byteCount - copied)
            (base + request.bufferOffset + copied).copyMemory(from: bouncePages[pageIndex], byteCount: count)
            copied += count
            pageIndex += 1
        }
    }
}
