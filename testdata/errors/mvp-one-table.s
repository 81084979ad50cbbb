# An object compiled for the MVP: call_indirect uses the imported
# __indirect_function_table, which has no symbol. Allowed (one table).
.globl call_indirect
call_indirect:
        .functype call_indirect () -> ()
        i32.const 1
        call_indirect () -> ()
        end_function
