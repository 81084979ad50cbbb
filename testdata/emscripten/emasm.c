/* JavaScript in C: EM_JS defines a JavaScript function, EM_ASM_INT and
 * EM_ASM run inline JavaScript (the code lives in the em_asm data section,
 * found through __start_em_asm/__stop_em_asm). Exits 0. */
#include <emscripten.h>
#include <stdio.h>

EM_JS(int, js_add, (int a, int b), { return a + b; });

int main(void) {
    int x = EM_ASM_INT({ return $0 * 2; }, 21);
    EM_ASM({ console.log('from EM_ASM ' + $0); }, x);
    printf("js_add=%d x=%d\n", js_add(3, 4), x);
    return 0;
}
