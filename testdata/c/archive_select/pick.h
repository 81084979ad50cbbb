#ifndef ARCHIVE_SELECT_PICK_H
#define ARCHIVE_SELECT_PICK_H

/* libpick.a members (archive order: pick_b pick_c pick_a pick_d):
 *   pick_a: used directly by main.c; needs pick_b_scale() from pick_b
 *   pick_b: only reached through pick_a; uses pick_a_calls (data in pick_a)
 *   pick_c: unused; has a printing constructor; pick_c_hook is only *weakly*
 *           referenced by main.c, which must not extract it
 *   pick_d: unused; has a printing constructor and defines shared_name(),
 *           which main.c also defines (duplicate symbol if extracted) */
extern int pick_a_calls;
const char *pick_a_describe(int x, char *buf, int len);
int pick_b_scale(int x);
void pick_c_hook(void);
const char *shared_name(void);

#endif
