/* Entry point of every ARMv7-A Seal image: zImage header, mode, relocation, stacks, BSS, VFP, early MMU, then Swift. */
#include "ARMBootRegisters.h"

    .syntax unified
    .arm
    .arch armv7-a
    .arch_extension virt
    .arch_extension sec

    .section .text.start, "ax"
    .global _start
    .type _start, %function
/* The zImage header (Linux arch/arm/boot/compressed/head.S layout): loaders recognise the magic at
   0x24, Xen copies the image to the start address at 0x28 and takes 0x2c as its end *address*. */
_start:
    .rept 8
    mov     r0, r0
    .endr
    b       reset                   /* 0x20 */
    .word   0x016f2818              /* 0x24: zImage magic */
    .word   __image_start           /* 0x28: load address */
    .word   __image_file_end        /* 0x2c: end of the loaded bytes */
    .word   0x04030201              /* 0x30: little-endian marker */

reset:
    mov     r10, r2                 /* r2 = device tree from the loader (or 0) */

    /* Entered in HYP mode (virtualization extensions, e.g. QEMU virtualization=on): open the
       timer and coprocessors to PL1, then drop to SVC (ARM ARM B1.8, B8.1.4). */
    mrs     r0, cpsr
    and     r0, r0, #MODE_MASK
    cmp     r0, #MODE_HYP
    bne     in_supervisor
    mrc     p15, 4, r0, c14, c1, 0  /* CNTHCTL: PL1 may read the physical counter and timer */
    orr     r0, r0, #3
    mcr     p15, 4, r0, c14, c1, 0
    mov     r0, #0
    mov     r1, #0
    mcrr    p15, 4, r0, r1, c14     /* CNTVOFF = 0: virtual and physical counts agree */
    mcr     p15, 4, r0, c1, c1, 0   /* HCR = 0: no traps to HYP */
    mcr     p15, 4, r0, c1, c1, 3   /* HSTR = 0 */
    mrc     p15, 4, r0, c1, c1, 2   /* HCPTR: clear the CP10/CP11 and trace traps */
    bic     r0, r0, #(3 << 10)
    bic     r0, r0, #(1 << 20)
    mcr     p15, 4, r0, c1, c1, 2
    mrc     p15, 0, r0, c0, c0, 0   /* VPIDR/VMPIDR: SVC reads the real MIDR/MPIDR */
    mcr     p15, 4, r0, c0, c0, 0
    mrc     p15, 0, r0, c0, c0, 5
    mcr     p15, 4, r0, c0, c0, 5
    mov     r0, #(MODE_SVC | PSR_I | PSR_F | PSR_A)
    msr     spsr_cxsf, r0         /* SPSR_hyp: in HYP mode the banked form is undefined */
    adr     r0, in_supervisor
    msr     elr_hyp, r0
    isb
    eret

in_supervisor:
    cpsid   aif
    /* Running with the MMU off: if the loader put us somewhere else than the link address
       (U-Boot bootz, QEMU), copy the loaded bytes there and continue at the link address. */
    adr     r4, _start              /* where we are */
    ldr     r5, =__image_start      /* where we are linked */
    cmp     r4, r5
    beq     relocated
    ldr     r6, =__image_file_end
    sub     r6, r6, r5              /* bytes to copy */
    mov     r0, r5
    mov     r1, r4
    mov     r2, r6
    bl      boot_copy_overlapping
    mcr     p15, 0, r0, c7, c5, 0   /* ICIALLU: the old instructions may be cached */
    dsb
    isb
    ldr     pc, =relocated

relocated:
    /* Initialised data: the file stores it right after rodata; its home is page aligned. */
    ldr     r0, =__data_start
    ldr     r1, =__data_load_start
    ldr     r2, =__data_end
    sub     r2, r2, r0
    bl      boot_copy_overlapping

    /* A stack per exception mode, interrupts masked throughout. */
    cps     #MODE_IRQ
    ldr     sp, =__irq_stack_top
    cps     #MODE_ABT
    ldr     sp, =__exception_stack_top
    cps     #MODE_UND
    ldr     sp, =__exception_stack_top
    cps     #MODE_FIQ
    ldr     sp, =__exception_stack_top
    cps     #MODE_SVC
    ldr     sp, =__svc_stack_top

    /* BSS (the stacks and page tables live outside it). */
    ldr     r0, =__bss_start
    ldr     r1, =__bss_end
    mov     r2, #0
1:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     1b

    /* VFP and NEON: full access to CP10/CP11 in CPACR, then FPEXC.EN (ARM ARM B4.1.40, B6.1.1). */
    mrc     p15, 0, r0, c1, c0, 2
    orr     r0, r0, #(0xf << 20)
    mcr     p15, 0, r0, c1, c0, 2
    isb
    mov     r0, #(1 << 30)
    vmsr    fpexc, r0

    /* Exception vectors at VBAR (SCTLR.V = 0 selects VBAR rather than 0xffff0000). */
    ldr     r0, =exception_vectors
    mcr     p15, 0, r0, c12, c0, 0

    ldr     r0, =seal_boot_device_tree
    str     r10, [r0]

    mov     r0, r10
    bl      boot_enable_early_mmu

    mov     r11, #0                 /* terminate the frame-pointer chain for backtraces */
    mov     lr, #0
    bl      main
    /* main returned: there is nothing else to run. */
halt:
    wfi
    b       halt
    .size _start, . - _start

/* memmove for the boot path, before any library may run: r0 = destination, r1 = source, r2 = bytes
   (multiple of 4). Copies downwards when the destination is above an overlapping source. */
    .type boot_copy_overlapping, %function
boot_copy_overlapping:
    cmp     r0, r1
    bxeq    lr
    bhi     2f
1:  subs    r2, r2, #4
    ldrpl   r3, [r1], #4
    strpl   r3, [r0], #4
    bpl     1b
    bx      lr
2:  add     r0, r0, r2
    add     r1, r1, r2
3:  subs    r2, r2, #4
    ldrpl   r3, [r1, #-4]!
    strpl   r3, [r0, #-4]!
    bpl     3b
    bx      lr
    .size boot_copy_overlapping, . - boot_copy_overlapping
    .ltorg
