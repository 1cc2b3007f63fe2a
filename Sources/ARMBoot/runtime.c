/* The few C-library hooks newlib and the Embedded Swift runtime expect from the platform: heap growth, aligned allocation, console output, abort, entropy for hash seeds. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stddef.h>
#include "ARMBoot.h"

uintptr_t seal_boot_device_tree;

/* Until the platform knows the memory size, the heap may grow 256 KiB past the image. */
uintptr_t seal_heap_limit = (uintptr_t)__heap_start + 256 * 1024;
static uintptr_t heap_break = (uintptr_t)__heap_start;

/* Implemented in Swift by the platform: writes one byte to the console. */
void seal_console_write_byte(uint8_t byte);
/* Implemented in Swift by the platform: print a panic line and power off. */
__attribute__((noreturn)) void seal_abort(void);
__attribute__((noreturn)) void seal_out_of_memory(size_t requested);

/* newlib's malloc grows its arena through _sbrk. */
void *_sbrk(ptrdiff_t increment) {
    uintptr_t old = heap_break;
    if (increment < 0 ? old - (uintptr_t)__heap_start < (uintptr_t)-increment
                      : seal_heap_limit - old < (uintptr_t)increment) {
        errno = ENOMEM;
        return (void *)-1;
    }
    heap_break = old + increment;
    return (void *)old;
}

/* The Embedded Swift runtime allocates objects with posix_memalign; newlib has memalign.
   Running out of memory is a panic, not an error code: the Swift runtime does not check it,
   and would go on to use a null pointer. */
int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *memory = memalign(alignment, size);
    if (memory == NULL && size != 0) seal_out_of_memory(size);
    *result = memory;
    return 0;
}

/* Every malloc from outside newlib comes here (the link wraps it: --wrap=malloc), for the
   same reason. */
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size) {
    void *memory = __real_malloc(size);
    if (memory == NULL && size != 0) seal_out_of_memory(size);
    return memory;
}

/* Embedded Swift's print() writes through putchar. */
int putchar(int character) {
    seal_console_write_byte((uint8_t)character);
    return character;
}

void abort(void) { seal_abort(); }

/* getentropy: the Swift runtime seeds Hasher (Dictionary and Set) from it, so that keys chosen
   by a remote peer cannot be made to collide. The pool is SplitMix64 over state the platform
   mixes in at boot (seal_entropy_mix: the device tree's rng-seed, timer counts) and the board
   again once its entropy device runs; every call also mixes in the call count. */
static uint64_t entropy_state = 0x9E3779B97F4A7C15ull;
static uint64_t entropy_calls;

void seal_entropy_mix(uint64_t value) {
    entropy_state = (entropy_state ^ value) * 0xBF58476D1CE4E5B9ull;
    entropy_state ^= entropy_state >> 31;
}

static uint64_t entropy_next(void) {
    entropy_state += 0x9E3779B97F4A7C15ull;
    uint64_t mixed = entropy_state;
    mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ull;
    mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBull;
    return mixed ^ (mixed >> 31);
}

int getentropy(void *buffer, size_t length) {
    if (length > 256) {
        errno = EIO;
        return -1;
    }
    seal_entropy_mix(++entropy_calls);
    uint8_t *bytes = buffer;
    uint64_t word = 0;
    for (size_t index = 0; index < length; index++) {
        if (index % 8 == 0) word = entropy_next();
        bytes[index] = (uint8_t)(word >> (8 * (index % 8)));
    }
    return 0;
}

/* The Swift runtime's random numbers come through arc4random_buf; newlib's would pull in
   signals (raise, _kill, _getpid) to report a getentropy failure that cannot happen here. */
void arc4random_buf(void *buffer, size_t length) {
    uint8_t *bytes = buffer;
    while (length > 0) {
        size_t count = length < 256 ? length : 256;
        getentropy(bytes, count);
        bytes += count;
        length -= count;
    }
}
