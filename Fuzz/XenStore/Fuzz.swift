/// libFuzzer target for the xenstore client: arbitrary bytes and indices in the response ring never trap, stall or grow memory.
///
/// Input: byte 0 picks the requests submitted first (ids 1, 2, ... in that order); bytes 1–4 are the
/// rings' starting index (so messages wrap anywhere); then records, each followed by a `poll`:
/// `0x00–0x7F n`: the next n bytes go into the response ring (as far as it has room);
/// `0x80 a b c d`: rsp_prod is set to that value (a lying xenstored); `0x81 a b c d`: req_cons likewise.
import XenABI
import Xen

let requestConsumerOffset = Int(seal_xen_offset_xenstore_req_cons())
let requestProducerOffset = Int(seal_xen_offset_xenstore_req_prod())
let responseConsumerOffset = Int(seal_xen_offset_xenstore_rsp_cons())
let responseProducerOffset = Int(seal_xen_offset_xenstore_rsp_prod())
let responseOffset = Int(seal_xen_offset_xenstore_rsp())

let page: UnsafeMutableRawPointer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)

func word(_ data: UnsafePointer<UInt8>, _ at: Int) -> UInt32 {
    UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16 | UInt32(data[at + 3]) << 24
}

func requests(_ options: UInt8) -> [XenStoreRequest] {
    let all: [XenStoreRequest] = [
        .read(path: Array("device/vif/0/state".utf8)),
        .directory(path: Array("device".utf8)),
        .transactionStart,
        .watch(path: Array("backend".utf8), token: Array("t".utf8)),
        .write(path: Array("data/k".utf8), value: Array("v".utf8)),
        .getDomainPath(domain: 1),
        .transactionEnd(commit: true),
        .remove(path: Array("x".utf8)),
    ]
    var chosen: [XenStoreRequest] = []
    for index in 0..<8 where options & (1 << UInt8(index)) != 0 { chosen.append(all[index]) }
    return chosen
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 5 else { return 0 }
    page.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
    let start = word(data, 1)
    for offset in [requestConsumerOffset, requestProducerOffset, responseConsumerOffset, responseProducerOffset] {
        page.storeBytes(of: start, toByteOffset: offset, as: UInt32.self)
    }
    let client = XenStoreClient(interface: page, maximumOutstanding: 8, maximumWatchEvents: 4)
    var ids: [UInt32] = []
    for request in requests(data[0]) {
        guard let id = try? client.submit(request, transaction: request == .transactionEnd(commit: true) ? 42 : 0) else {
            fatalError("submit failed on a fresh client")
        }
        ids.append(id)
    }
    var position = 5
    var polls = 0
    while position < size {
        let kind = data[position]
        position += 1
        if kind >= 0x80 {
            guard position + 4 <= size else { break }
            let value = word(data, position)
            position += 4
            page.storeBytes(of: value, toByteOffset: kind == 0x80 ? responseProducerOffset : requestConsumerOffset, as: UInt32.self)
        } else {
            let count = min(Int(kind), size - position)
            var producer = page.load(fromByteOffset: responseProducerOffset, as: UInt32.self)
            let consumer = page.load(fromByteOffset: responseConsumerOffset, as: UInt32.self)
            for offset in 0..<count where producer &- consumer < 1024 {
                page.storeBytes(of: data[position + offset], toByteOffset: responseOffset + Int(producer & 1023), as: UInt8.self)
                producer &+= 1
            }
            page.storeBytes(of: producer, toByteOffset: responseProducerOffset, as: UInt32.self)
            position += count
        }
        // xenstored consumes every request byte at once.
        let produced = page.load(fromByteOffset: requestProducerOffset, as: UInt32.self)
        if kind != 0x81 { page.storeBytes(of: produced, toByteOffset: requestConsumerOffset, as: UInt32.self) }
        polls += 1
        do {
            _ = try client.poll()
        } catch {
            // Broken for good: every call repeats the error.
            do { _ = try client.poll(); fatalError("broken client polled") } catch let again { if again != error { fatalError("error changed") } }
            return 0
        }
        for id in ids { _ = try? client.reply(for: id) }
        while client.nextWatchEvent() != nil {}
        if client.outstandingCount > client.maximumOutstanding { fatalError("unbounded requests") }
    }
    if polls > size { fatalError("more polls than input bytes") }
    return 0
}
