package org.astropt.stream.core.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the MKL inside DJL's CPU libtorch picks its matrix-product code paths in this process. On an
 * AMD CPU MKL takes its generic AVX2 paths unless app/src/main/native/mkl_isa_dispatch.c is
 * preloaded (bin/astropt does it), which lets it choose by the CPU's instruction sets: on AVX-512
 * CPUs about twice the fp32 matrix-product rate (docs/BENCHMARKS.md, "MKL's code paths on AMD").
 * Read from /proc, so it says what this process really loaded, not what LD_PRELOAD asked for.
 */
public enum MklDispatch {
    /** Not an AMD x86 CPU (or not Linux): MKL's own choice is the right one. */
    NATIVE("MKL chooses its code paths itself (not an AMD CPU)"),
    /** AMD CPU, shim not loaded: MKL runs its generic AVX2 paths. */
    VENDOR("MKL runs its generic AVX2 code paths on this AMD CPU: preload libastropt_mkl_isa_dispatch.so"
            + " (bin/astropt does) for its AVX-512 paths, about twice the matrix-product rate on AVX-512 CPUs"),
    /** AMD CPU, shim loaded: MKL chooses by instruction sets. */
    ISA("MKL chooses its code paths by this AMD CPU's instruction sets (libastropt_mkl_isa_dispatch.so preloaded)");

    /** The shim's file name, as bin/astropt builds it. */
    public static final String SHIM = "libastropt_mkl_isa_dispatch.so";

    private static final Logger LOG = LoggerFactory.getLogger(MklDispatch.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private final String description;

    MklDispatch(String description) { this.description = description; }

    /** One line for logs and benchmark reports. */
    public String description() { return description; }

    /** This process's state, from /proc/cpuinfo and /proc/self/maps. */
    public static MklDispatch current() {
        return of(read(Path.of("/proc/cpuinfo")), read(Path.of("/proc/self/maps")));
    }

    /** The state given the text of /proc/cpuinfo and /proc/self/maps (empty when unreadable). */
    static MklDispatch of(List<String> cpuinfo, List<String> maps) {
        boolean amd = cpuinfo.stream().anyMatch(l -> l.startsWith("vendor_id") && l.endsWith("AuthenticAMD"));
        if (!amd) return NATIVE;
        return maps.stream().anyMatch(l -> l.endsWith("/" + SHIM)) ? ISA : VENDOR;
    }

    /** Logs {@link #current()} once per process (at INFO; the model's speed depends on it). */
    static void logOnce() {
        if (LOGGED.compareAndSet(false, true)) LOG.info(current().description());
    }

    private static List<String> read(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
