@ The rig's own smoke-test guest: a 32-bit ARM zImage that Xen's dom0less loader starts; it
@ writes "hello from domU", whether r2 held a device tree, and Seal's halt marker to the vpl011,
@ then shuts its domain down with SCHEDOP_shutdown. Built by Tests/xen/build-smoke-guest.sh.
        .syntax unified
        .arch armv7-a
        .arch_extension virt            @ for `hvc`
        .arm
        .text
        .global _start
_start:
        @ Linux's zImage layout (arch/arm/boot/compressed/head.S), which Xen's zImage probe reads
        @ (xen/arch/arm/kernel.c, kernel_zimage32_probe): the word at 0x24 is the magic, 0x28 the
        @ load address (0: Xen picks one) and 0x2c the end address (so the size when the start is 0).
        .rept 8
        mov     r0, r0
        .endr
        b       entry                   @ 0x20
        .word   0x016f2818              @ 0x24: zImage magic
        .word   0                       @ 0x28: load anywhere
        .word   image_end - _start      @ 0x2c: end address
entry:
        @ Xen enters with the MMU off, so addresses taken with `adr` are guest-physical, which is
        @ what the UART and the hypercall's argument need. r2 = the guest's device tree.
        mov     r4, #0x22000000         @ vpl011 base (Xen's GUEST_PL011_BASE)
        adr     r5, hello
        bl      print
        @ A flattened device tree starts with the big-endian magic 0xd00dfeed (DT spec 5.2).
        cmp     r2, #0
        beq     no_tree
        tst     r2, #3
        bne     no_tree
        ldr     r0, [r2]
        ldr     r1, =0xedfe0dd0         @ 0xd00dfeed read little-endian
        cmp     r0, r1
        bne     no_tree
        adr     r5, tree_yes
        b       report_tree
no_tree:
        adr     r5, tree_no
report_tree:
        bl      print
        adr     r5, halted
        bl      print
        @ HYPERVISOR_sched_op(SCHEDOP_shutdown, &{reason = SHUTDOWN_poweroff}) (xen/include/public/
        @ sched.h); on ARM: number in r12, arguments in r0-r4, `hvc #0xEA1` (public/arch-arm.h).
        mov     r0, #2                  @ SCHEDOP_shutdown
        adr     r1, shutdown_reason
        mov     r12, #29                @ __HYPERVISOR_sched_op
        hvc     #0xea1
        @ Only reached when the hypercall failed: say so, then idle.
        adr     r5, shutdown_failed
        bl      print
idle:
        wfi
        b       idle

@ print: writes the NUL-terminated string at r5 to the PL011 at r4 (data register 0x00; flag
@ register 0x18, bit 5 = transmit FIFO full, PL011 TRM 3.3.3). Clobbers r0, r1, r5.
print:
        ldrb    r0, [r5], #1
        cmp     r0, #0
        bxeq    lr
wait_for_room:
        ldr     r1, [r4, #0x18]
        tst     r1, #0x20
        bne     wait_for_room
        str     r0, [r4]
        b       print

        .ltorg
        .align  2
shutdown_reason:
        .word   0                       @ SHUTDOWN_poweroff
hello:
        .asciz  "hello from domU\n"
tree_yes:
        .asciz  "device tree in r2: yes\n"
tree_no:
        .asciz  "device tree in r2: no\n"
halted:
        .asciz  "seal: halted status=0\n"
shutdown_failed:
        .asciz  "SCHEDOP_shutdown returned\n"
        .align  3
image_end:
