// Native benchmark: filled in by the kernel/parser work.
int main() { return 0; }
