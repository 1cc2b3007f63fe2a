// The imported Xen headers give ARM's guest layout on the host too, and the Swift side agrees with C's unions.
import Testing
import XenABI
@testable import Xen

@Suite struct LayoutTests {
    @Test func ringEntriesMatchTheHeadersUnions() throws {
        let transmit = try SharedRingGeometry(request: netif_tx_request_t.self, response: netif_tx_response_t.self)
        let receive = try SharedRingGeometry(request: netif_rx_request_t.self, response: netif_rx_response_t.self)
        let block = try SharedRingGeometry(request: blkif_request_t.self, response: blkif_response_t.self)
        #expect(transmit.entrySize == Int(seal_xen_size_netif_tx_entry()))
        #expect(receive.entrySize == Int(seal_xen_size_netif_rx_entry()))
        #expect(block.entrySize == Int(seal_xen_size_blkif_entry()))
        // The sizes Linux and Mirage use: NET_TX_RING_SIZE, NET_RX_RING_SIZE 256, BLK_RING_SIZE 32 for 4 KiB.
        #expect(transmit.count == 256)
        #expect(receive.count == 256)
        #expect(block.count == 32)
        #expect(SharedRingGeometry.entriesOffset == 64)
        #expect(block.byteCount <= 4096)
    }

    @Test func armLayoutOfSharedInfo() {
        // ARM: one legacy vcpu_info of 48 bytes, 64-bit xen_ulong_t, so 64 words of pending then mask.
        #expect(MemoryLayout<vcpu_info>.size == 48)
        #expect(seal_xen_offset_shared_info_evtchn_pending() == 48)
        #expect(seal_xen_offset_shared_info_evtchn_mask() == 48 + 64 * 8)
        #expect(seal_xen_offset_vcpu_info_pending_sel() == 8)
        #expect(EventChannels.portLimit == 4096)
    }

    @Test func wireStructSizes() {
        #expect(XenStoreMessageHeader.byteCount == 16)
        #expect(XenStoreMessageHeader.payloadLimit == 4096)
        #expect(XenStoreRings.size == 1024)
        #expect(seal_xen_offset_xenstore_rsp() == 1024)
        #expect(seal_xen_offset_xenstore_req_cons() == 2048)
        #expect(MemoryLayout<grant_entry_v1_t>.size == 8)
        #expect(GrantTable.frameOffset == 4)
    }

    @Test func ringTooSmall() {
        #expect(throws: XenError.ringTooSmall) {
            _ = try SharedRingGeometry(request: blkif_request_t.self, response: blkif_response_t.self, pageSize: 100)
        }
    }
}
