// Native benchmark of the moments kernel (owned by the kernel work).
int bench_kernel_native() { return 0; }
