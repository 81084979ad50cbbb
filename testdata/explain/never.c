// libexplain.a member: nothing references it, never extracted.
int never_extracted(int x) { return x * 11; }
