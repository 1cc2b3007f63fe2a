/* XenABI: Xen's public headers (Debian's libxen-dev, /usr/include/xen) with ARM's guest layout on every host. */
#ifndef SEAL_XEN_ABI_SHIM_H
#define SEAL_XEN_ABI_SHIM_H

#include <stdint.h>
#include <stddef.h>

/*
 * The Xen headers are included by absolute path: the embedded target (armv7-none-none-eabi) has no
 * /usr/include on its search path, and adding it would let glibc's headers shadow clang's freestanding
 * stdint.h. The headers include one another by relative path, so nothing else is needed.
 */

/* The interface of Xen 4.14+ (4.17 on the test rig); without it the headers give the 0x0 legacy one. */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include "/usr/include/xen/xen-compat.h"

/*
 * Seal's Xen guests are 32-bit ARM. On an x86 host (swift test, fuzzing) xen.h would pick
 * arch-x86's layout (32 legacy vcpu_info slots, 64-byte vcpu_info); include arch-arm.h first and
 * mark arch-x86/xen.h as already seen so shared_info and vcpu_info have the guest's layout.
 */
#if defined(__i386__) || defined(__x86_64__)
#include "/usr/include/xen/arch-arm.h"
#define __XEN_PUBLIC_ARCH_X86_XEN_H__ 1
#endif

#include "/usr/include/xen/xen.h"
#include "/usr/include/xen/event_channel.h"
#include "/usr/include/xen/grant_table.h"
#include "/usr/include/xen/memory.h"
#include "/usr/include/xen/sched.h"
#include "/usr/include/xen/hvm/params.h"
#include "/usr/include/xen/hvm/hvm_op.h"
#include "/usr/include/xen/version.h"
#include "/usr/include/xen/io/ring.h"
#include "/usr/include/xen/io/netif.h"
#include "/usr/include/xen/io/blkif.h"
#include "/usr/include/xen/io/console.h"
#include "/usr/include/xen/io/xs_wire.h"

/* Byte offsets Swift cannot take from imported structs in Embedded mode (no key paths). */
static inline uint32_t seal_xen_offset_xenstore_req_cons(void) { return offsetof(struct xenstore_domain_interface, req_cons); }
static inline uint32_t seal_xen_offset_xenstore_req_prod(void) { return offsetof(struct xenstore_domain_interface, req_prod); }
static inline uint32_t seal_xen_offset_xenstore_rsp_cons(void) { return offsetof(struct xenstore_domain_interface, rsp_cons); }
static inline uint32_t seal_xen_offset_xenstore_rsp_prod(void) { return offsetof(struct xenstore_domain_interface, rsp_prod); }
static inline uint32_t seal_xen_offset_xenstore_req(void) { return offsetof(struct xenstore_domain_interface, req); }
static inline uint32_t seal_xen_offset_xenstore_rsp(void) { return offsetof(struct xenstore_domain_interface, rsp); }
static inline uint32_t seal_xen_offset_shared_info_vcpu_info(void) { return offsetof(struct shared_info, vcpu_info); }
static inline uint32_t seal_xen_offset_shared_info_evtchn_pending(void) { return offsetof(struct shared_info, evtchn_pending); }
static inline uint32_t seal_xen_offset_shared_info_evtchn_mask(void) { return offsetof(struct shared_info, evtchn_mask); }
static inline uint32_t seal_xen_count_shared_info_evtchn_words(void) { return sizeof(((struct shared_info *)0)->evtchn_pending) / sizeof(xen_ulong_t); }
static inline uint32_t seal_xen_offset_vcpu_info_upcall_pending(void) { return offsetof(struct vcpu_info, evtchn_upcall_pending); }
static inline uint32_t seal_xen_offset_vcpu_info_pending_sel(void) { return offsetof(struct vcpu_info, evtchn_pending_sel); }
static inline uint32_t seal_xen_offset_grant_entry_v1_flags(void) { return offsetof(struct grant_entry_v1, flags); }
static inline uint32_t seal_xen_offset_grant_entry_v1_domid(void) { return offsetof(struct grant_entry_v1, domid); }
static inline uint32_t seal_xen_offset_grant_entry_v1_frame(void) { return offsetof(struct grant_entry_v1, frame); }
/* io/ring.h: the shared ring's four indices and padding come before ring[0]. */
static inline uint32_t seal_xen_offset_sring_entries(void) { return offsetof(struct netif_tx_sring, ring); }
static inline uint32_t seal_xen_offset_sring_req_prod(void) { return offsetof(struct netif_tx_sring, req_prod); }
static inline uint32_t seal_xen_offset_sring_req_event(void) { return offsetof(struct netif_tx_sring, req_event); }
static inline uint32_t seal_xen_offset_sring_rsp_prod(void) { return offsetof(struct netif_tx_sring, rsp_prod); }
static inline uint32_t seal_xen_offset_sring_rsp_event(void) { return offsetof(struct netif_tx_sring, rsp_event); }
/* Entry sizes: io/ring.h's union of request and response, as ring[] lays them out. */
static inline uint32_t seal_xen_size_netif_tx_entry(void) { return sizeof(union netif_tx_sring_entry); }
static inline uint32_t seal_xen_size_netif_rx_entry(void) { return sizeof(union netif_rx_sring_entry); }
static inline uint32_t seal_xen_size_blkif_entry(void) { return sizeof(union blkif_sring_entry); }

/* Memory shared with Xen and the other domain: sequentially consistent atomics (dmb on ARMv7). */
static inline void seal_xen_full_barrier(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline uint64_t seal_xen_exchange64(void *word, uint64_t value) { return __atomic_exchange_n((uint64_t *)word, value, __ATOMIC_SEQ_CST); }
static inline uint64_t seal_xen_fetch_and64(void *word, uint64_t value) { return __atomic_fetch_and((uint64_t *)word, value, __ATOMIC_SEQ_CST); }
static inline uint64_t seal_xen_fetch_or64(void *word, uint64_t value) { return __atomic_fetch_or((uint64_t *)word, value, __ATOMIC_SEQ_CST); }
static inline uint64_t seal_xen_load64(const void *word) { return __atomic_load_n((const uint64_t *)word, __ATOMIC_SEQ_CST); }
static inline uint16_t seal_xen_load16(const void *word) { return __atomic_load_n((const uint16_t *)word, __ATOMIC_SEQ_CST); }
static inline uint32_t seal_xen_load32(const void *word) { return __atomic_load_n((const uint32_t *)word, __ATOMIC_SEQ_CST); }
static inline void seal_xen_store32(void *word, uint32_t value) { __atomic_store_n((uint32_t *)word, value, __ATOMIC_SEQ_CST); }
static inline void seal_xen_store8(void *word, uint8_t value) { __atomic_store_n((uint8_t *)word, value, __ATOMIC_SEQ_CST); }
/* Returns 1 when *word held expected and now holds desired. */
static inline int seal_xen_compare_exchange16(void *word, uint16_t expected, uint16_t desired) {
    return __atomic_compare_exchange_n((uint16_t *)word, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* xen.h's DOMID_SELF is built with a function-like macro Swift cannot import. */
static inline uint16_t seal_xen_domain_self(void) { return DOMID_SELF; }

#endif
