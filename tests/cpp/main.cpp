// Catch2 v2 main: the same sources run natively and as wasm under node (exit code = failures).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
