/*
 * Lets Intel MKL choose its code paths by the CPU's instruction sets instead of its vendor.
 *
 * DJL's libtorch (pytorch-native-cpu) carries MKL, which runs every fp32 matrix product of the model.
 * On a CPU that MKL does not recognise as Intel's it takes its generic AVX2 paths whatever the CPU
 * supports: on an AMD EPYC with full-width AVX-512 (Zen 5) that is half the matrix-product rate
 * (docs/BENCHMARKS.md, "MKL's code paths on AMD"). MKL asks one exported function whether the CPU is
 * Intel's, through libtorch_cpu.so's PLT; preloading this library answers yes, and MKL then picks
 * among its paths (AVX2, AVX-512) by the features CPUID reports, as it does on Intel CPUs. Nothing
 * else changes: the results are those of MKL's AVX-512 or AVX2 kernels, checked against the
 * reference fixtures by the parity tests (run them with this library preloaded to check a machine).
 *
 * bin/astropt builds it with the machine's C compiler into app/target/native/ and preloads it on AMD
 * CPUs (ASTROPT_MKL_ISA_DISPATCH=0 turns that off); a TaskManager started otherwise needs
 * LD_PRELOAD=.../libastropt_mkl_isa_dispatch.so in its environment (docs/PIPELINE.md).
 *
 *   cc -O2 -shared -fPIC -o libastropt_mkl_isa_dispatch.so mkl_isa_dispatch.c
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
