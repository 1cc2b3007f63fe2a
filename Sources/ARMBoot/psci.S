/* PSCI calls through the conduit the device tree names (SMC Calling Convention: r0 = function, r1-r3 = arguments, r0 = result). */
    .syntax unified
    .arm
    .arch armv7-a
    .arch_extension virt
    .arch_extension sec

    .section .text.psci, "ax"
    .global seal_psci_smc
    .type seal_psci_smc, %function
seal_psci_smc:
    smc     #0
    bx      lr

    .global seal_psci_hvc
    .type seal_psci_hvc, %function
seal_psci_hvc:
    hvc     #0
    bx      lr
