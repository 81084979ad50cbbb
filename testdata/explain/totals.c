// Defines the name typo.c meant.
int compute_total(int x) { return x * 2; }
