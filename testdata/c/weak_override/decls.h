#ifndef WEAK_OVERRIDE_DECLS_H
#define WEAK_OVERRIDE_DECLS_H

/* who():         weak in main.c, strong in strong.c      -> strong.c wins
 * flavor():      weak in weak.c, strong in strong.c      -> strong.c wins
 * tie():         weak in main.c AND weak in weak.c       -> first in link order (main.o)
 * lonely():      weak in weak.c only                     -> the weak one
 * config_value:  weak data in weak.c, strong in strong.c -> 42
 * limits[]:      weak data in main.c, strong in strong.c -> {10, 20, 30, 40}
 * fallback_msg:  weak data in weak.c only                -> the weak one */
const char *who(void);
const char *flavor(void);
const char *tie(void);
const char *lonely(void);
extern int config_value;
extern int limits[4];
extern const char fallback_msg[];

/* weak.c calls its own weak definitions; the linker must redirect them. */
const char *weak_c_flavor(void);
int weak_c_config(void);

#endif
