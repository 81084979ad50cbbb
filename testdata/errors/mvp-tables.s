# An object compiled for the MVP (no table symbol for the imported
# __indirect_function_table) that also defines a second table: every
# table then needs a symbol, and wasm-ld rejects the object.
.globl call_indirect
call_indirect:
        .functype call_indirect () -> ()
        i32.const 1
        call_indirect () -> ()
        end_function

.globl table
table:
        .tabletype table, externref
