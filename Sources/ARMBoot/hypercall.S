/* Xen hypercalls on ARM (xen/include/public/arch-arm.h "Hypercall calling convention"): r12 = number, r0-r4 = arguments, hvc #0xEA1, r0 = result. */
    .syntax unified
    .arm
    .arch armv7-a
    .arch_extension virt

    .section .text.hypercall, "ax"
    .global seal_xen_hypercall
    .type seal_xen_hypercall, %function
/* r0 = number, r1-r3 and the stack = the hypercall's first four arguments (AAPCS), shifted into place.
   r4 and r12 are clobbered by Xen's convention only as inputs; r4 is callee-saved here, so kept. */
seal_xen_hypercall:
    push    {r4, lr}
    mov     r12, r0
    mov     r0, r1
    mov     r1, r2
    mov     r2, r3
    ldr     r3, [sp, #8]
    mov     r4, #0
    hvc     #0xEA1
    pop     {r4, pc}
    .size seal_xen_hypercall, . - seal_xen_hypercall
