/* Processor-state constants shared by the boot assembly and the C declarations (ARM ARM B1.3.1). */
#ifndef ARMBOOT_REGISTERS_H
#define ARMBOOT_REGISTERS_H

#define MODE_MASK 0x1f
#define MODE_USR  0x10
#define MODE_FIQ  0x11
#define MODE_IRQ  0x12
#define MODE_SVC  0x13
#define MODE_ABT  0x17
#define MODE_HYP  0x1a
#define MODE_UND  0x1b
#define MODE_SYS  0x1f

#define PSR_F (1 << 6)
#define PSR_I (1 << 7)
#define PSR_A (1 << 8)

/* Exception kinds, in vector-table order (ARM ARM B1.8.1). */
#define EXCEPTION_UNDEFINED       1
#define EXCEPTION_SUPERVISOR_CALL 2
#define EXCEPTION_PREFETCH_ABORT  3
#define EXCEPTION_DATA_ABORT      4
#define EXCEPTION_UNUSED          5
#define EXCEPTION_FIQ             7

/* Size in bytes of struct ExceptionFrame (r0-r12, sp, lr, pc, cpsr). */
#define EXCEPTION_FRAME_SIZE (17 * 4)

#endif
