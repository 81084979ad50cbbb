// libexplain.a member: extracted (go calls lib_helper).
int lib_helper(int x) { return x * 3; }
