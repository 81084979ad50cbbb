#include "tables.h"

uint32_t zero_words[ZERO_WORDS];

/* Every element non-zero so the whole array has to live in a data segment. */
#define R4(n) (n) * 2654435761u + 1u, (n + 1) * 2654435761u + 1u, (n + 2) * 2654435761u + 1u, (n + 3) * 2654435761u + 1u
#define R16(n) R4(n), R4(n + 4), R4(n + 8), R4(n + 12)
#define R64(n) R16(n), R16(n + 16), R16(n + 32), R16(n + 48)
#define R256(n) R64(n), R64(n + 64), R64(n + 128), R64(n + 192)
#define R1024(n) R256(n), R256(n + 256), R256(n + 512), R256(n + 768)
uint32_t data_words[DATA_WORDS] = {R1024(0u), R1024(1024u)};
