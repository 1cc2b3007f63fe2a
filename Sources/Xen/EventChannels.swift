/// 2-level event channels: scan `shared_info`'s pending and mask bitmaps, clear, and dispatch to a port table.
///
/// Layout (xen.h, ARM): `vcpu_info` holds `evtchn_upcall_pending` (u8) and `evtchn_pending_sel`
/// (xen_ulong_t, 64 bits on ARM); `shared_info` holds `evtchn_pending[64]` and `evtchn_mask[64]`, 64-bit
/// words: 4096 ports, port p at bit p % 64 of word p / 64, and selector bit w set when word w gained a
/// pending unmasked port. Offsets come from the imported structs.
///
/// Order of clearing (as Xen sets them in reverse): `evtchn_upcall_pending = 0`, then swap the selector
/// with 0, then for each port clear its pending bit atomically before calling its handler, so an event
/// that arrives during the handler raises the upcall again instead of being lost.
///
/// Bounded: `scan(budget:)` handles at most `budget` ports; what it did not reach stays pending, its
/// selector bits are carried to the next scan, which resumes where this one stopped (an event storm on
/// one port cannot starve the others nor the event loop).
import XenABI

public final class EventChannels {
    /// What one `scan` did.
    public struct ScanResult: Equatable {
        /// Ports dispatched to their handlers.
        public var handled = 0
        /// Pending ports with no handler (cleared and counted).
        public var unbound = 0
        /// True when the budget ran out with ports left: scan again.
        public var moreWork = false

        public init(handled: Int = 0, unbound: Int = 0, moreWork: Bool = false) {
            self.handled = handled
            self.unbound = unbound
            self.moreWork = moreWork
        }
    }

    static let wordCount = Int(seal_xen_count_shared_info_evtchn_words())
    static let bitsPerWord = MemoryLayout<xen_ulong_t>.size * 8
    /// The 2-level ABI's port limit (4096 on ARM).
    public static let portLimit = UInt32(wordCount * bitsPerWord)

    private let pending: UnsafeMutableRawPointer
    private let mask: UnsafeMutableRawPointer
    private let upcallPending: UnsafeMutableRawPointer
    private let selector: UnsafeMutableRawPointer
    private var handlers: [((UInt32) -> Void)?]
    private var carriedSelector: UInt64 = 0
    private var resumeWord = 0
    private var resumeBit = 0
    /// Pending ports found without a handler, over the lifetime.
    public private(set) var unboundEvents = 0

    /// Channels in the `shared_info` page at `sharedInfo`, delivered to `vcpuInfo` (default: the page's
    /// own `vcpu_info[0]`, the boot VCPU on ARM), with a handler table for ports `0..<portCount`.
    public init(sharedInfo: UnsafeMutableRawPointer, vcpuInfo: UnsafeMutableRawPointer? = nil, portCount: Int) {
        pending = sharedInfo + Int(seal_xen_offset_shared_info_evtchn_pending())
        mask = sharedInfo + Int(seal_xen_offset_shared_info_evtchn_mask())
        let vcpu = vcpuInfo ?? sharedInfo + Int(seal_xen_offset_shared_info_vcpu_info())
        upcallPending = vcpu + Int(seal_xen_offset_vcpu_info_upcall_pending())
        selector = vcpu + Int(seal_xen_offset_vcpu_info_pending_sel())
        handlers = Array(repeating: nil, count: min(max(portCount, 0), Int(Self.portLimit)))
    }

    /// Ports the table can hold.
    public var portCount: Int { handlers.count }

    /// Calls `handler` with the port each time `port` is found pending.
    public func bind(port: UInt32, handler: @escaping (UInt32) -> Void) throws(XenError) {
        guard port < UInt32(handlers.count) else { throw .invalidPort(port) }
        guard handlers[Int(port)] == nil else { throw .portAlreadyBound(port) }
        handlers[Int(port)] = handler
    }

    /// Removes the port's handler (after EVTCHNOP_close); a later event on it counts as unbound.
    public func unbind(port: UInt32) throws(XenError) {
        guard port < UInt32(handlers.count) else { throw .invalidPort(port) }
        handlers[Int(port)] = nil
    }

    /// Sets the port's mask bit: Xen then records it pending without an upcall.
    public func mask(port: UInt32) throws(XenError) {
        guard port < Self.portLimit else { throw .invalidPort(port) }
        _ = seal_xen_fetch_or64(word(mask, port), bit(port))
    }

    /// Clears the port's mask bit. An event that came while masked raised no upcall (xen.h: the edge
    /// is lost), so if it is pending this sets its selector bit and `evtchn_upcall_pending` itself and
    /// returns true: the next `scan` handles it.
    @discardableResult
    public func unmask(port: UInt32) throws(XenError) -> Bool {
        guard port < Self.portLimit else { throw .invalidPort(port) }
        _ = seal_xen_fetch_and64(word(mask, port), ~bit(port))
        guard seal_xen_load64(word(pending, port)) & bit(port) != 0 else { return false }
        _ = seal_xen_fetch_or64(selector, UInt64(1) << UInt64(Int(port) / Self.bitsPerWord))
        seal_xen_store8(upcallPending, 1)
        return true
    }

    /// True when Xen flagged an upcall or a previous scan left ports behind.
    public var hasPendingEvents: Bool {
        carriedSelector != 0 || upcallPending.load(as: UInt8.self) != 0
            || seal_xen_load64(UnsafeRawPointer(selector)) != 0
    }

    /// Finds pending unmasked ports, clears each and calls its handler, at most `budget` of them.
    public func scan(budget: Int) -> ScanResult {
        var result = ScanResult()
        seal_xen_store8(upcallPending, 0)
        var words = carriedSelector | seal_xen_exchange64(selector, 0)
        carriedSelector = 0
        let startWord = resumeWord
        let startBit = resumeBit
        // wordCount + 1 steps: the starting word's bits from startBit up first, its lower bits last.
        for step in 0...Self.wordCount {
            let wordIndex = (startWord + step) % Self.wordCount
            var filter = ~UInt64(0)
            var lastVisit = true
            if step == 0 && startBit > 0 {
                filter = ~UInt64(0) << UInt64(startBit)
                lastVisit = false
            } else if step == Self.wordCount {
                guard startBit > 0 else { break }
                filter = (UInt64(1) << UInt64(startBit)) - 1
            }
            let wordBit = UInt64(1) << UInt64(wordIndex)
            guard words & wordBit != 0 else { continue }
            let pendingWord = pending + wordIndex * Self.bitsPerWord / 8
            let maskWord = mask + wordIndex * Self.bitsPerWord / 8
            var ready = seal_xen_load64(UnsafeRawPointer(pendingWord)) & ~seal_xen_load64(UnsafeRawPointer(maskWord)) & filter
            while ready != 0 {
                let bitIndex = ready.trailingZeroBitCount
                if result.handled + result.unbound >= budget {
                    carriedSelector = words
                    resumeWord = wordIndex
                    resumeBit = bitIndex
                    result.moreWork = true
                    return result
                }
                ready &= ready - 1
                _ = seal_xen_fetch_and64(pendingWord, ~(UInt64(1) << UInt64(bitIndex)))
                let port = UInt32(wordIndex * Self.bitsPerWord + bitIndex)
                if Int(port) < handlers.count, let handler = handlers[Int(port)] {
                    result.handled += 1
                    handler(port)
                } else {
                    result.unbound += 1
                    unboundEvents += 1
                }
            }
            if lastVisit { words &= ~wordBit }
        }
        resumeWord = 0
        resumeBit = 0
        return result
    }

    private func word(_ base: UnsafeMutableRawPointer, _ port: UInt32) -> UnsafeMutableRawPointer {
        base + Int(port) / Self.bitsPerWord * (Self.bitsPerWord / 8)
    }

    private func bit(_ port: UInt32) -> UInt64 {
        UInt64(1) << UInt64(Int(port) % Self.bitsPerWord)
    }
}
