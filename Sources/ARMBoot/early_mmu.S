/* Turns the MMU and caches on before any Swift runs: an identity map of the image and the device tree as normal memory. */
#include "ARMBootRegisters.h"

    .syntax unified
    .arm
    .arch armv7-a

/* Short-descriptor 1 MiB section, normal memory, write-back write-allocate, shareable,
   PL1 read/write (ARM ARM B3.5.1: TEX=001 C=1 B=1, AP=01, S=1). */
#define SECTION_NORMAL 0x1140e
/* TTBR0 walk attributes: inner and outer write-back write-allocate, shareable (B4.1.154). */
#define TTBR_WALK_ATTRIBUTES 0x4a

    .section .text.boot, "ax"
    .global boot_enable_early_mmu
    .type boot_enable_early_mmu, %function
/* r0 = device tree address or 0. Clobbers r0-r9. */
boot_enable_early_mmu:
    mov     r9, lr
    mov     r8, r0
    /* The coarse map Swift replaces once it has read the device tree. */
    ldr     r4, =__early_page_table
    mov     r0, r4
    add     r1, r4, #0x4000
    mov     r2, #0
1:  str     r2, [r0], #4
    cmp     r0, r1
    blo     1b

    ldr     r0, =__image_start
    ldr     r1, =__early_map_end
    bl      map_sections
    cmp     r8, #0
    beq     2f
    mov     r0, r8                  /* the device tree: two sections cover any blob up to 1 MiB */
    add     r1, r8, #0x200000
    bl      map_sections
2:
    bl      invalidate_data_cache
    mov     r0, #0
    mcr     p15, 0, r0, c7, c5, 0   /* ICIALLU */
    mcr     p15, 0, r0, c7, c5, 6   /* BPIALL */
    mcr     p15, 0, r0, c8, c7, 0   /* TLBIALL */
    mcr     p15, 0, r0, c2, c0, 2   /* TTBCR = 0: TTBR0 only, short descriptors */
    orr     r0, r4, #TTBR_WALK_ATTRIBUTES
    mcr     p15, 0, r0, c2, c0, 0   /* TTBR0 */
    ldr     r0, =0x55555555         /* every domain is a client: permissions are checked */
    mcr     p15, 0, r0, c3, c0, 0   /* DACR */
    dsb
    isb
    mrc     p15, 0, r0, c1, c0, 0   /* SCTLR (B4.1.130) */
    ldr     r1, =((1 << 1) | (1 << 13) | (1 << 28) | (1 << 29))
    bic     r0, r0, r1              /* A=0 (unaligned allowed), V=0, TRE=0, AFE=0 */
    ldr     r1, =((1 << 0) | (1 << 2) | (1 << 11) | (1 << 12))
    orr     r0, r0, r1              /* M, C, Z, I */
    mcr     p15, 0, r0, c1, c0, 0
    isb
    bx      r9

/* Identity-maps [r0, r1) with normal-memory sections into the table at r4. */
map_sections:
    lsr     r0, r0, #20
    sub     r1, r1, #1
    lsr     r1, r1, #20
    ldr     r3, =SECTION_NORMAL
3:  orr     r2, r3, r0, lsl #20
    str     r2, [r4, r0, lsl #2]
    add     r0, r0, #1
    cmp     r0, r1
    bls     3b
    bx      lr

/* Invalidates every data and unified cache level by set/way, as the caches hold garbage at
   reset on real silicon (ARM ARM B2.2.7, the CLIDR/CCSIDR walk). Clobbers r0-r7. */
invalidate_data_cache:
    mrc     p15, 1, r0, c0, c0, 1   /* CLIDR */
    ands    r3, r0, #0x07000000     /* level of coherency */
    mov     r3, r3, lsr #23         /* LoC * 2 */
    beq     9f
    mov     r7, #0                  /* cache level * 2 */
4:  add     r2, r7, r7, lsr #1      /* level * 3 */
    mov     r1, r0, lsr r2
    and     r1, r1, #7              /* cache type at this level */
    cmp     r1, #2
    blt     8f                      /* no data cache here */
    mcr     p15, 2, r7, c0, c0, 0   /* CSSELR */
    isb
    mrc     p15, 1, r1, c0, c0, 0   /* CCSIDR */
    and     r2, r1, #7
    add     r2, r2, #4              /* log2(line bytes) */
    ldr     r4, =0x3ff
    ands    r4, r4, r1, lsr #3      /* ways - 1 */
    clz     r5, r4                  /* way shift */
    ldr     r6, =0x7fff
    ands    r6, r6, r1, lsr #13     /* sets - 1 */
5:  mov     r1, r4
6:  orr     r12, r7, r1, lsl r5
    orr     r12, r12, r6, lsl r2
    mcr     p15, 0, r12, c7, c6, 2  /* DCISW */
    subs    r1, r1, #1
    bge     6b
    subs    r6, r6, #1
    bge     5b
8:  add     r7, r7, #2
    cmp     r3, r7
    bgt     4b
9:  mov     r7, #0
    mcr     p15, 2, r7, c0, c0, 0
    dsb
    isb
    ldr     r4, =__early_page_table /* restore the table base the caller keeps in r4 */
    bx      lr
    .ltorg
