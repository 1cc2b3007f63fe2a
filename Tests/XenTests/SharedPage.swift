// A zeroed, page-aligned block of host memory standing in for a page shared with Xen or a backend.
final class SharedPage {
    let bytes: UnsafeMutableRawPointer
    let count: Int

    init(count: Int = 4096) {
        self.count = count
        bytes = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 4096)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: count)
    }

    deinit {
        bytes.deallocate()
    }

    func load32(_ offset: Int) -> UInt32 { bytes.load(fromByteOffset: offset, as: UInt32.self) }
    func store32(_ offset: Int, _ value: UInt32) { bytes.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }
    func load64(_ offset: Int) -> UInt64 { bytes.load(fromByteOffset: offset, as: UInt64.self) }
    func store64(_ offset: Int, _ value: UInt64) { bytes.storeBytes(of: value, toByteOffset: offset, as: UInt64.self) }
}
