# Toolchain file over Debian's Emscripten 3.1.6.
# Use:  cmake -S . -B build/wasm -G Ninja -DCMAKE_TOOLCHAIN_FILE=emscripten.cmake
# We do not use `emcmake`: it injects the emulator `node;--experimental-wasm-threads`, which Node 20
# rejects, so every wasm ctest would fail (toolchain-notes pitfall 4).
include(/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)

# Tests run under plain node (they are built with -sSINGLE_FILE and -sNODERAWFS).
find_program(MP_NODE node REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${MP_NODE}" CACHE FILEPATH "run wasm tests with node" FORCE)

# emcc's JS optimizer needs acorn, which Debian ships under /usr/share/nodejs (pitfall 1).
set(CMAKE_CXX_LINKER_LAUNCHER "env;NODE_PATH=/usr/share/nodejs" CACHE STRING "" FORCE)
set(CMAKE_C_LINKER_LAUNCHER "env;NODE_PATH=/usr/share/nodejs" CACHE STRING "" FORCE)
