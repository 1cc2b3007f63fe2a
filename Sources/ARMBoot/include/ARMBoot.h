/* What Swift sees of the boot code: linker symbols, the device-tree pointer, and one-instruction CP15 helpers. */
#ifndef ARMBOOT_H
#define ARMBOOT_H

#include <stdint.h>
#include <stddef.h>
#include "ARMBootRegisters.h"

/* The register frame the exception vectors save (vectors.S). */
struct ExceptionFrame {
    uint32_t r[13];
    uint32_t sp;
    uint32_t lr;
    uint32_t pc;
    uint32_t cpsr;
};

/* r2 at entry: the device tree the loader passed, or 0. */
extern uintptr_t seal_boot_device_tree;

/* Image layout from the linker script, as addresses (Swift cannot import unsized arrays). */
#define SEAL_LINKER_ADDRESS(function, symbol) \
    extern char symbol[]; \
    static inline uintptr_t function(void) { return (uintptr_t)symbol; }
SEAL_LINKER_ADDRESS(seal_image_start, __image_start)
SEAL_LINKER_ADDRESS(seal_text_end, __text_end)
SEAL_LINKER_ADDRESS(seal_rodata_end, __rodata_end)
SEAL_LINKER_ADDRESS(seal_data_start, __data_start)
SEAL_LINKER_ADDRESS(seal_image_end, __image_end)
SEAL_LINKER_ADDRESS(seal_stack_guard, __stack_guard)
SEAL_LINKER_ADDRESS(seal_supervisor_stack_bottom, __svc_stack_bottom)
SEAL_LINKER_ADDRESS(seal_supervisor_stack_top, __svc_stack_top)
SEAL_LINKER_ADDRESS(seal_heap_start, __heap_start)
SEAL_LINKER_ADDRESS(seal_page_table, __page_table)
SEAL_LINKER_ADDRESS(seal_second_level_tables, __second_level_tables)
SEAL_LINKER_ADDRESS(seal_page_table_end, __page_table_end)

/* The heap limit _sbrk enforces; the platform raises it once the memory size is known. */
extern uintptr_t seal_heap_limit;
/* Mixes a value into the pool behind getentropy (runtime.c), which seeds Swift's Hasher. */
void seal_entropy_mix(uint64_t value);

/* PSCI call through SMC or HVC (PSCI 1.1 §5.2, SMC Calling Convention). */
uint32_t seal_psci_smc(uint32_t function, uint32_t argument1, uint32_t argument2, uint32_t argument3);
uint32_t seal_psci_hvc(uint32_t function, uint32_t argument1, uint32_t argument2, uint32_t argument3);

/* Xen hypercall `number` with up to four arguments (arch-arm.h: hvc #0xEA1); returns r0 (0 or a negative errno). */
intptr_t seal_xen_hypercall(uint32_t number, uintptr_t argument1, uintptr_t argument2, uintptr_t argument3, uintptr_t argument4);

/* The current frame pointer (r7 in Thumb code, r11 in ARM code), for backtraces. */
static inline uintptr_t arm_frame_pointer(void) { return (uintptr_t)__builtin_frame_address(0); }

#define ARM_CP15_ACCESSORS(name, op1, crn, crm, op2) \
    static inline uint32_t arm_read_##name(void) { uint32_t v; __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v)); return v; } \
    static inline void arm_write_##name(uint32_t v) { __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"(v) : "memory"); }

ARM_CP15_ACCESSORS(sctlr, 0, c1, c0, 0)
ARM_CP15_ACCESSORS(ttbr0, 0, c2, c0, 0)
ARM_CP15_ACCESSORS(dfsr, 0, c5, c0, 0)
ARM_CP15_ACCESSORS(ifsr, 0, c5, c0, 1)
ARM_CP15_ACCESSORS(dfar, 0, c6, c0, 0)
ARM_CP15_ACCESSORS(ifar, 0, c6, c0, 2)
ARM_CP15_ACCESSORS(midr, 0, c0, c0, 0)
ARM_CP15_ACCESSORS(mpidr, 0, c0, c0, 5)
ARM_CP15_ACCESSORS(id_pfr1, 0, c0, c1, 1)
ARM_CP15_ACCESSORS(cntfrq, 0, c14, c0, 0)
ARM_CP15_ACCESSORS(cntv_ctl, 0, c14, c3, 1)
ARM_CP15_ACCESSORS(cntv_tval, 0, c14, c3, 0)

static inline uint64_t arm_read_cntvct(void) { uint32_t low, high; __asm__ volatile("isb; mrrc p15, 1, %0, %1, c14" : "=r"(low), "=r"(high)); return ((uint64_t)high << 32) | low; }
static inline void arm_write_cntv_cval(uint64_t v) { __asm__ volatile("mcrr p15, 3, %0, %1, c14" :: "r"((uint32_t)v), "r"((uint32_t)(v >> 32)) : "memory"); }

static inline void arm_data_synchronization_barrier(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void arm_instruction_synchronization_barrier(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void arm_wait_for_interrupt(void) { __asm__ volatile("dsb; wfi" ::: "memory"); }
static inline void arm_enable_interrupts(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void arm_disable_interrupts(void) { __asm__ volatile("cpsid i" ::: "memory"); }
/* Masks IRQs and returns the previous CPSR, for arm_restore_interrupts: a critical section
   against interrupt handlers that share data with the main loop. */
static inline uint32_t arm_save_and_disable_interrupts(void) { uint32_t v; __asm__ volatile("mrs %0, cpsr; cpsid i" : "=r"(v) :: "memory"); return v; }
static inline void arm_restore_interrupts(uint32_t saved) { if ((saved & PSR_I) == 0) __asm__ volatile("cpsie i" ::: "memory"); }
static inline void arm_invalidate_tlb(void) { __asm__ volatile("mcr p15, 0, %0, c8, c7, 0; mcr p15, 0, %0, c7, c5, 6; dsb; isb" :: "r"(0) : "memory"); }
/* DCCMVAC: clean one data-cache line to the point of coherency, so the table walker sees it. */
static inline void arm_clean_data_cache_line(uintptr_t address) { __asm__ volatile("mcr p15, 0, %0, c7, c10, 1" :: "r"(address) : "memory"); }

#endif
