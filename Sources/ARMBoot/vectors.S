/* The exception vector table: IRQs go to Swift on the supervisor stack; every other exception is a panic with a register frame. */
#include "ARMBootRegisters.h"

    .syntax unified
    .arm
    .arch armv7-a
    .fpu neon

    .section .text.vectors, "ax"
    .balign 32                      /* VBAR ignores the low five bits (ARM ARM B4.1.156) */
    .global exception_vectors
exception_vectors:
    b       reset_entry
    b       undefined_entry
    b       supervisor_call_entry
    b       prefetch_abort_entry
    b       data_abort_entry
    b       unused_entry
    b       irq_entry
    b       fiq_entry

/* Saves a struct ExceptionFrame on this mode's stack and calls seal_exception(kind, frame),
   which never returns. lr has already been turned into the address of the faulting instruction. */
.macro exception_frame kind
    sub     sp, sp, #EXCEPTION_FRAME_SIZE
    stmia   sp, {r0-r12}
    str     lr, [sp, #(15 * 4)]     /* pc */
    mrs     r0, spsr
    str     r0, [sp, #(16 * 4)]     /* cpsr of the interrupted code */
    /* Visit the interrupted mode (System for User) to read its banked sp and lr. */
    and     r1, r0, #MODE_MASK
    cmp     r1, #MODE_USR
    moveq   r1, #MODE_SYS
    cmp     r1, #MODE_HYP           /* cannot enter HYP from here: leave sp and lr as 0 */
    moveq   r3, #0
    moveq   r4, #0
    beq     1f
    orr     r1, r1, #(PSR_I | PSR_F | PSR_A)
    mrs     r2, cpsr
    msr     cpsr_c, r1
    mov     r3, sp
    mov     r4, lr
    msr     cpsr_c, r2
1:  str     r3, [sp, #(13 * 4)]
    str     r4, [sp, #(14 * 4)]
    mov     r0, #\kind
    mov     r1, sp
    bic     sp, sp, #7              /* AAPCS: 8-byte aligned stack at calls */
    bl      seal_exception
2:  wfi
    b       2b
.endm

reset_entry:
    b       _start

undefined_entry:
    mrs     r0, spsr                /* the faulting instruction: lr - 4 (ARM) or lr - 2 (Thumb) */
    tst     r0, #(1 << 5)
    subeq   lr, lr, #4
    subne   lr, lr, #2
    exception_frame EXCEPTION_UNDEFINED

supervisor_call_entry:
    sub     lr, lr, #4
    exception_frame EXCEPTION_SUPERVISOR_CALL

prefetch_abort_entry:
    sub     lr, lr, #4
    exception_frame EXCEPTION_PREFETCH_ABORT

data_abort_entry:
    sub     lr, lr, #8
    exception_frame EXCEPTION_DATA_ABORT

unused_entry:
    exception_frame EXCEPTION_UNUSED

fiq_entry:
    sub     lr, lr, #4
    exception_frame EXCEPTION_FIQ

/* IRQ: save the interrupted state on the supervisor stack, so handlers may nest calls freely,
   keep the VFP caller-saved registers (Swift code may use NEON anywhere), call seal_irq(). */
irq_entry:
    sub     lr, lr, #4
    srsdb   sp!, #MODE_SVC          /* push lr_irq and spsr_irq onto the SVC stack */
    cps     #MODE_SVC
    push    {r0-r3, r12, lr}
    and     r1, sp, #4              /* realign to 8 bytes, remembering the adjustment */
    sub     sp, sp, r1
    vmrs    r0, fpscr
    push    {r0, r1}
    vpush   {d0-d7}
    vpush   {d16-d31}
    bl      seal_irq
    vpop    {d16-d31}
    vpop    {d0-d7}
    pop     {r0, r1}
    vmsr    fpscr, r0
    add     sp, sp, r1
    pop     {r0-r3, r12, lr}
    rfeia   sp!
