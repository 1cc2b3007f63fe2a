/// A device wrapper that loses, duplicates and reorders transmitted frames at seeded rates:
/// how tests put loss between two stacks without touching either.

import Capabilities

/// Wraps any `NetworkInterface`; faults apply to transmitted frames, so wrapping both ends of
/// a link makes it lossy both ways. Rates are per million frames.
public struct FaultInjector<Inner: NetworkInterface, Random: Entropy>: NetworkInterface {
    public var inner: Inner
    public var random: Random
    public var lossPerMillion: UInt32 = 0
    public var duplicationPerMillion: UInt32 = 0
    public var reorderingPerMillion: UInt32 = 0
    /// Drops the transmissions with these indices (0 is the first frame this wrapper sent),
    /// for tests that need precise losses.
    public var scheduledDrops: [Int] = []
    public private(set) var transmitted = 0
    public private(set) var dropped = 0
    public private(set) var duplicated = 0
    public private(set) var reordered = 0
    private var scratch: [UInt8]
    private var held: [UInt8]
    private var heldLength = 0

    public init(wrapping inner: Inner, random: Random) {
        self.inner = inner
        self.random = random
        scratch = [UInt8](repeating: 0, count: inner.maximumTransmissionUnit + 14)
        held = [UInt8](repeating: 0, count: inner.maximumTransmissionUnit + 14)
    }

    public var macAddress: MACAddress { inner.macAddress }
    public var maximumTransmissionUnit: Int { inner.maximumTransmissionUnit }

    public mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        inner.receive(body)
    }

    private mutating func chance(_ perMillion: UInt32) -> Bool {
        perMillion > 0 && random.next(below: 1_000_000) < perMillion
    }

    public mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard length <= scratch.count else { return false }
        let index = transmitted
        transmitted += 1
        if chance(lossPerMillion) || scheduledDrops.contains(index) {
            dropped += 1
            return true
        }
        if heldLength == 0 && chance(reorderingPerMillion) {
            // Hold this frame back until the next one has gone out.
            held.withUnsafeMutableBytes { fill($0.slice(0..<length)) }
            heldLength = length
            reordered += 1
            return true
        }
        scratch.withUnsafeMutableBytes { fill($0.slice(0..<length)) }
        let copies = chance(duplicationPerMillion) ? 2 : 1
        if copies == 2 { duplicated += 1 }
        var sent = false
        for _ in 0..<copies {
            sent = inner.transmit(length: length) { out in scratch.withUnsafeBytes { out.copy($0.slice(0..<length), at: 0) } }
                || sent
        }
        flushHeld()
        return sent
    }

    /// Sends a held-back frame now (also call it when the link would otherwise go idle).
    public mutating func flushHeld() {
        guard heldLength > 0 else { return }
        let length = heldLength
        heldLength = 0
        _ = inner.transmit(length: length) { out in held.withUnsafeBytes { out.copy($0.slice(0..<length), at: 0) } }
    }
}
