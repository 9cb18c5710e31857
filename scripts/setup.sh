#!/usr/bin/env bash
# Installs what is missing on a fresh Debian 12 machine, then npm ci. Idempotent and quick when
# everything is there. Used by `npm start`, `npm test` and `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v em++ >/dev/null 2>&1 || need+=(emscripten)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/include/catch2/catch.hpp ] || need+=(catch2)
command -v clang++ >/dev/null 2>&1 || need+=(clang)
ls /usr/lib/llvm-14/lib/clang/14*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v ninja >/dev/null 2>&1 || need+=(ninja-build)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
