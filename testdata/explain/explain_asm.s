# A defined global and a defined tag, used by one function.
.globaltype explain_global, i32
explain_global:

.globl explain_tag
.tagtype explain_tag i32
explain_tag:

.globl use_global_and_tag
.type use_global_and_tag,@function
use_global_and_tag:
  .functype use_global_and_tag () -> ()
  global.get explain_global
  if
  global.get explain_global
  throw explain_tag
  end_if
  end_function
