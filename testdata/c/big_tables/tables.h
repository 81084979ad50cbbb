#ifndef BIG_TABLES_TABLES_H
#define BIG_TABLES_TABLES_H

#include <stdint.h>

#define LUT_SIZE 4096
#define NAMED_SIZE 64
#define ZERO_WORDS (16 * 1024)  /* 64 KiB of .bss in zeros.c */
#define DATA_WORDS 2048         /* 8 KiB of initialized .data in zeros.c */

struct named_entry {
    const char *name;
    const uint32_t *slot;
};

extern const uint32_t lut[LUT_SIZE];                   /* table.c, .rodata */
extern const struct named_entry named[NAMED_SIZE];     /* table.c, .rodata + relocations */
extern uint32_t zero_words[ZERO_WORDS];                /* zeros.c, .bss */
extern uint32_t data_words[DATA_WORDS];                /* zeros.c, .data */

#endif
