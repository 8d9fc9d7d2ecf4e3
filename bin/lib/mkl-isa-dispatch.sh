# Sourced by bin/astropt and bench scripts. mkl_isa_dispatch ROOT: on an AMD x86-64 Linux CPU, builds
# app/src/main/native/mkl_isa_dispatch.c with the machine's C compiler (once, into app/target/native/)
# and prints the library's path, for LD_PRELOAD: MKL inside DJL's libtorch then chooses its code paths
# by the CPU's instruction sets instead of taking its generic AVX2 ones (about twice the fp32
# matrix-product rate on AVX-512 CPUs; docs/BENCHMARKS.md, "MKL's code paths on AMD").
# Prints nothing when it does not apply (another CPU vendor, ASTROPT_MKL_ISA_DISPATCH=0) or when no C
# compiler is there; the model then runs as without it, and its log says which (MklDispatch).
mkl_isa_dispatch() {
  local root="$1" src lib cc="${CC:-cc}"
  [ "${ASTROPT_MKL_ISA_DISPATCH:-1}" = 0 ] && return 0
  [ "$(uname -sm)" = "Linux x86_64" ] || return 0
  grep -q -m1 '^vendor_id.*AuthenticAMD' /proc/cpuinfo 2>/dev/null || return 0
  src="$root/app/src/main/native/mkl_isa_dispatch.c"
  lib="$root/app/target/native/libastropt_mkl_isa_dispatch.so"
  if [ ! -f "$lib" ] || [ "$src" -nt "$lib" ]; then
    command -v "$cc" >/dev/null 2>&1 || return 0
    mkdir -p "$(dirname "$lib")"
    "$cc" -O2 -shared -fPIC -o "$lib.tmp" "$src" 2>/dev/null && mv "$lib.tmp" "$lib" || { rm -f "$lib.tmp"; return 0; }
  fi
  printf '%s\n' "$lib"
}
