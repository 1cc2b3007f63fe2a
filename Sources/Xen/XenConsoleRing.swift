/// The PV console's shared page (io/console.h `struct xencons_interface`): two byte rings, every index the console daemon writes checked.
///
/// ```
/// 0     in[1024]    input: xenconsoled writes, the guest reads
/// 1024  out[2048]   output: the guest writes, xenconsoled reads
/// 3072  in_cons  in_prod  out_cons  out_prod   u32 each (XENCONS_RING_IDX; MASK_XENCONS_IDX: index & (size - 1))
/// ```
/// The guest owns `out_prod` and `in_cons` and keeps its own copies (taken from the page at start, so a
/// console an earlier boot stage used carries on). The daemon's `out_cons` may not be more than the
/// out ring's size behind `out_prod`, nor ahead of it (`.consoleOutputIndicesCorrupt`); its `in_prod`
/// may not be more than the in ring's size ahead of `in_cons` (`.consoleInputIndicesCorrupt`). After
/// either, the ring is broken and every call throws the error again. Sizes and offsets come from the
/// imported struct (its arrays' sizes; the indices follow them with no padding).
import XenABI

public final class XenConsoleRing {
    /// Bytes of the in ring (1024) and of the out ring (2048), powers of two.
    public static let inputSize = UInt32(MemoryLayout.size(ofValue: xencons_interface().in))
    public static let outputSize = UInt32(MemoryLayout.size(ofValue: xencons_interface().out))
    static let inputOffset = 0
    static let outputOffset = Int(inputSize)
    static let inputConsumerOffset = Int(inputSize + outputSize)
    static let inputProducerOffset = inputConsumerOffset + 4
    static let outputConsumerOffset = inputConsumerOffset + 8
    static let outputProducerOffset = inputConsumerOffset + 12

    private let interface: UnsafeMutableRawPointer
    private let barrier: () -> Void
    /// `out_prod`: bytes written, as this side published them.
    public private(set) var outputProducer: UInt32
    /// `in_cons`: bytes read, as this side published them.
    public private(set) var inputConsumer: UInt32
    /// The error that broke the ring, if one did.
    public private(set) var failure: XenError?

    /// The rings in the console page at `interface` (HVM_PARAM_CONSOLE_PFN's page, or the start info's).
    public init(interface: UnsafeMutableRawPointer, barrier: @escaping () -> Void = XenMemory.fullBarrier) {
        self.interface = interface
        self.barrier = barrier
        outputProducer = seal_xen_load32(UnsafeRawPointer(interface + Self.outputProducerOffset))
        inputConsumer = seal_xen_load32(UnsafeRawPointer(interface + Self.inputConsumerOffset))
    }

    /// Queues as many of `bytes` as fit in the out ring; returns how many (0 when it is full).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(XenError) -> Int {
        let used = try pendingOutput()
        barrier()  // xen_mb: out_cons is read before the bytes it freed are overwritten
        let count = min(Int(Self.outputSize - used), bytes.count)
        guard count > 0, let source = bytes.baseAddress else { return 0 }
        copy(from: source, count: count)
        barrier()  // xen_wmb: the bytes before the index that publishes them
        outputProducer &+= UInt32(count)
        seal_xen_store32(interface + Self.outputProducerOffset, outputProducer)
        return count
    }

    /// Moves up to `buffer.count` bytes of input into `buffer`; returns how many (0 when none waits).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(XenError) -> Int {
        let available = try pendingInput()
        let count = min(Int(available), buffer.count)
        guard count > 0, let destination = buffer.baseAddress else { return 0 }
        barrier()  // xen_rmb: in_prod before the bytes it covers
        for offset in 0..<count {
            let index = Int((inputConsumer &+ UInt32(offset)) & (Self.inputSize - 1))
            destination.storeBytes(of: interface.load(fromByteOffset: Self.inputOffset + index, as: UInt8.self),
                                   toByteOffset: offset, as: UInt8.self)
        }
        barrier()  // xen_mb: the bytes are copied before in_cons frees them
        inputConsumer &+= UInt32(count)
        seal_xen_store32(interface + Self.inputConsumerOffset, inputConsumer)
        return count
    }

    /// Output bytes the daemon has not taken yet, checked.
    public func pendingOutput() throws(XenError) -> UInt32 {
        if let failure { throw failure }
        let consumer = seal_xen_load32(UnsafeRawPointer(interface + Self.outputConsumerOffset))
        let used = outputProducer &- consumer
        guard used <= Self.outputSize else {
            throw fail(.consoleOutputIndicesCorrupt(producer: outputProducer, consumer: consumer))
        }
        return used
    }

    /// Input bytes waiting to be read, checked.
    public func pendingInput() throws(XenError) -> UInt32 {
        if let failure { throw failure }
        let producer = seal_xen_load32(UnsafeRawPointer(interface + Self.inputProducerOffset))
        let available = producer &- inputConsumer
        guard available <= Self.inputSize else {
            throw fail(.consoleInputIndicesCorrupt(producer: producer, consumer: inputConsumer))
        }
        return available
    }

    /// Copies `count` bytes (no more than the free space) into the out ring after `outputProducer`, wrapping.
    private func copy(from source: UnsafeRawPointer, count: Int) {
        let start = Int(outputProducer & (Self.outputSize - 1))
        let first = min(count, Int(Self.outputSize) - start)
        (interface + Self.outputOffset + start).copyMemory(from: source, byteCount: first)
        if first < count {
            (interface + Self.outputOffset).copyMemory(from: source + first, byteCount: count - first)
        }
    }

    private func fail(_ error: XenError) -> XenError {
        failure = error
        return error
    }
}
