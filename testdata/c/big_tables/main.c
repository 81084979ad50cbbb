#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tables.h"

/* Wasm object files have no real .bss: clang writes zero-filled data segments,
 * so every KiB here is a KiB in each committed .o. 512 KiB is past the 64 KiB
 * default stack and several wasm pages, which is what the linker has to handle. */
#define BUF_SIZE (512 * 1024)
static unsigned char buf[BUF_SIZE]; /* 512 KiB of .bss, partly written below */

static uint32_t fnv1a(const void *p, size_t n, uint32_t h) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 16777619u;
    }
    return h;
}

static size_t count_zero(const void *p, size_t n) {
    const unsigned char *s = p;
    size_t z = 0;
    for (size_t i = 0; i < n; i++)
        z += s[i] == 0;
    return z;
}

int main(void) {
    int failures = 0;

    /* .bss must start zeroed. */
    size_t z0 = count_zero(buf, BUF_SIZE);
    size_t z1 = count_zero(zero_words, sizeof zero_words);
    printf("buf: %zu of %d bytes zero at start\n", z0, BUF_SIZE);
    printf("zero_words: %zu of %zu bytes zero at start\n", z1, sizeof zero_words);
    failures += z0 != BUF_SIZE || z1 != sizeof zero_words;

    /* Write one byte per 4 KiB page, plus a 64 KiB stripe near the end. */
    for (size_t i = 0; i < BUF_SIZE; i += 4096)
        buf[i] = (unsigned char)(i / 4096 + 1);
    memset(buf + BUF_SIZE - 70000, 0xA5, 65536);
    for (size_t i = 0; i < ZERO_WORDS; i += 1000)
        zero_words[i] = (uint32_t)i;
    printf("buf: fnv1a = %08x, %zu bytes still zero\n", (unsigned)fnv1a(buf, BUF_SIZE, 2166136261u),
           count_zero(buf, BUF_SIZE));
    printf("zero_words: fnv1a = %08x\n", (unsigned)fnv1a(zero_words, sizeof zero_words, 2166136261u));

    /* .rodata: recompute the generator and compare with the table. */
    uint32_t x = 0x9E3779B9u;
    int mismatches = 0;
    uint64_t sum = 0;
    for (int i = 0; i < LUT_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        mismatches += lut[i] != x;
        sum += lut[i];
    }
    printf("lut: %d entries, %d mismatches, sum = %llu, fnv1a = %08x\n", LUT_SIZE, mismatches,
           (unsigned long long)sum, (unsigned)fnv1a(lut, sizeof lut, 2166136261u));
    printf("lut[0] = %08x, lut[%d] = %08x\n", (unsigned)lut[0], LUT_SIZE - 1, (unsigned)lut[LUT_SIZE - 1]);
    failures += mismatches != 0;

    /* Pointers stored in .rodata must point into lut. */
    int bad_ptrs = 0;
    uint32_t h = 2166136261u;
    for (int i = 0; i < NAMED_SIZE; i++) {
        bad_ptrs += named[i].slot != &lut[(i * 67) % LUT_SIZE];
        h = fnv1a(named[i].name, strlen(named[i].name), h);
        h = fnv1a(named[i].slot, sizeof *named[i].slot, h);
    }
    printf("named: %s=%08x %s=%08x, %d bad pointers, fnv1a = %08x\n", named[1].name,
           (unsigned)*named[1].slot, named[63].name, (unsigned)*named[63].slot, bad_ptrs, (unsigned)h);
    failures += bad_ptrs != 0;

    /* .data: check the initializer, then modify it. */
    int bad_data = 0;
    for (uint32_t i = 0; i < DATA_WORDS; i++)
        bad_data += data_words[i] != i * 2654435761u + 1u;
    for (uint32_t i = 0; i < DATA_WORDS; i += 2)
        data_words[i] ^= lut[i];
    printf("data_words: %d bad initial values, fnv1a after update = %08x\n", bad_data,
           (unsigned)fnv1a(data_words, sizeof data_words, 2166136261u));
    failures += bad_data != 0;

    printf("failures = %d\n", failures);
    return failures;
}
