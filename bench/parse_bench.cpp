// Native benchmark of the header and index parsers (owned by the parser work).
int bench_parse_native() { return 0; }
