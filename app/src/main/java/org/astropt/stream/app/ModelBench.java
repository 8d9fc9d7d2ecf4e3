package org.astropt.stream.app;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.Trainer;

/**
 * The measurements behind {@code astropt bench model}: forward passes through the {@link Embedder}
 * (what the stream runs: float arrays in, embeddings and surprise out), training steps through the
 * {@link Trainer}, and the machine's fp32 matrix-product rate through the same DJL engine, so the
 * model's rate can be read as a fraction of what the machine does on one large product.
 */
final class ModelBench {

    /** Passes or steps run before timing, at least: the first calls allocate and pick kernels. */
    static final int WARMUP_CALLS = 2;

    /**
     * Share of the measuring time spent warming up first, at least: the JIT compiles DJL's Java
     * side during the first seconds (about a thousand calls into libtorch per training step), and a
     * steady state is what a long-running stage sees.
     */
    static final double WARMUP_SHARE = 0.25;

    /**
     * How many calls ran in how many seconds, and the fastest call: on a shared machine other
     * processes slow some calls down, and the fastest is the closest to what the machine can do.
     * cpuSeconds is this process's CPU time over the same calls (every thread: libtorch's, the
     * garbage collector's, the JIT's); threadCpuSeconds the calling thread's alone, which with one
     * libtorch thread is all of the model's work (libtorch runs it, backward included, on the
     * caller). Both are what the calls cost when other processes take turns on the cores, so they
     * are steadier than wall time on a loaded machine.
     */
    record Rate(long calls, double seconds, double bestSeconds, double cpuSeconds, double threadCpuSeconds) {
        double perSecond() { return calls / seconds; }
        double secondsPerCall() { return seconds / calls; }
        double perCpuSecond() { return calls / cpuSeconds; }
        double perThreadCpuSecond() { return calls / threadCpuSeconds; }
    }

    /** Chunks the matmul measurement is cut into; the best chunk's rate counts. */
    static final int MATMUL_CHUNKS = 5;

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private ModelBench() {}

    /** Random tokens [batch][tokens][tokenDim], N(0, 1) like per-token-normalised pixels. */
    static List<float[][]> randomSequences(int batch, int tokens, int tokenDim, long seed) {
        Random r = new Random(seed);
        List<float[][]> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            float[][] s = new float[tokens][tokenDim];
            for (float[] t : s) for (int i = 0; i < tokenDim; i++) t[i] = (float) r.nextGaussian();
            out.add(s);
        }
        return out;
    }

    /** Embeds the batch again and again for about seconds (at least one timed call). */
    static Rate forward(AstroPTModel model, List<float[][]> batch, double seconds) {
        try (Embedder embedder = new Embedder(model, new Embedder.Settings(batch.size(), Embedder.Settings.DEFAULT.bucketLengths(), -1))) {
            warmUp(seconds, () -> embedder.embed(batch));
            return timed(seconds, () -> embedder.embed(batch));
        }
    }

    /**
     * Training steps (forward, backward, clip, AdamW) on the batch for about seconds; the
     * sequences are the whole [B, T, D] of which the model reads T - 1 tokens.
     */
    static Rate train(AstroPTModel model, List<float[][]> batch, double seconds) {
        Trainer.Settings settings = new Trainer.Settings(batch.size(), 1, Integer.MAX_VALUE, LrSchedule.of(1e-4, 0, 1),
                1.0, AdamW.Settings.ASTROPT, 0, 0);
        int t = batch.get(0).length;
        int d = batch.get(0)[0].length;
        float[] flat = new float[batch.size() * t * d];
        for (int b = 0; b < batch.size(); b++) {
            for (int j = 0; j < t; j++) System.arraycopy(batch.get(b)[j], 0, flat, (b * t + j) * d, d);
        }
        try (Trainer trainer = new Trainer(model, settings)) {
            Runnable step = () -> {
                try (NDManager m = model.newBatchManager()) {
                    trainer.step(List.of(m.create(flat, new Shape(batch.size(), t, d))), 1e-4);
                }
            };
            warmUp(seconds, step);
            return timed(seconds, step);
        }
    }

    /**
     * The machine's fp32 matrix-product rate through DJL: n x n times n x n, 2 n^3 operations
     * each, repeated for about seconds. Same engine, same threads as the model.
     *
     * @return operations per second
     */
    static double matmulFlops(AstroPTModel model, int n, double seconds) {
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = model.newBatchManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            Runnable product = () -> a.matMul(b).close();
            product.run();
            double best = 0;
            for (int i = 0; i < MATMUL_CHUNKS; i++) best = Math.max(best, timed(seconds / MATMUL_CHUNKS, product).perSecond());
            return 2.0 * n * n * n * best;
        }
    }

    /**
     * One shape of the model's matrix products: {@code rows x in} times the transpose of an {@code out x in} weight, as
     * its linear layers run it, with the weights of that shape and the thread CPU time of one product (the best of
     * {@link #MATMUL_CHUNKS} chunks).
     */
    record Product(int rows, int in, int out, List<String> weights, double threadCpuSeconds) {
        double flops() { return 2.0 * rows * in * out; }
        double flopsPerThreadCpuSecond() { return flops() / threadCpuSeconds; }
        /** The time all of this shape's products of one pass take at this rate. */
        double secondsPerPass() { return weights.size() * threadCpuSeconds; }
    }

    /**
     * The model's own matrix products on their own, each distinct weight shape (every 2-d weight but the position
     * table, which is looked up) at {@code rows} rows of random values, through the same engine and threads as the
     * model, for about seconds in all: what the BLAS library makes of exactly these shapes, to set beside the pass
     * (bench/scripts/vs_pytorch_model.py products times the same shapes in PyTorch).
     */
    static List<Product> products(AstroPTModel model, int rows, double seconds) {
        Map<List<Long>, List<String>> shapes = new LinkedHashMap<>();
        model.network().namedParameters().forEach((name, p) -> {
            Shape s = p.getArray().getShape();
            if (s.dimension() == 2 && !name.contains("wpe")) {
                shapes.computeIfAbsent(List.of(s.get(0), s.get(1)), k -> new ArrayList<>()).add(name);
            }
        });
        AstroPTModel.disableGradientsOnThisThread();
        List<Product> out = new ArrayList<>();
        double each = seconds / Math.max(1, shapes.size());
        try (NDManager m = model.newBatchManager()) {
            for (Map.Entry<List<Long>, List<String>> e : shapes.entrySet()) {
                int o = e.getKey().get(0).intValue(), in = e.getKey().get(1).intValue();
                NDArray x = m.randomUniform(-1, 1, new Shape(rows, in));
                NDArray w = m.randomUniform(-1, 1, new Shape(o, in));
                Runnable product = () -> Linear.linear(x, w).singletonOrThrow().close();
                warmUp(each / MATMUL_CHUNKS, product);
                double best = Double.MAX_VALUE;
                for (int i = 0; i < MATMUL_CHUNKS; i++) {
                    Rate r = timed(each / MATMUL_CHUNKS, product);
                    best = Math.min(best, r.threadCpuSeconds() / r.calls());
                }
                out.add(new Product(rows, in, o, List.copyOf(e.getValue()), best));
                x.close();
                w.close();
            }
        }
        return out;
    }

    /** Runs call WARMUP_CALLS times and until WARMUP_SHARE of seconds has passed. */
    static void warmUp(double seconds, Runnable call) {
        long deadline = System.nanoTime() + (long) (seconds * WARMUP_SHARE * 1e9);
        for (int i = 0; i < WARMUP_CALLS || System.nanoTime() < deadline; i++) call.run();
    }

    /** Runs call until about seconds have passed, at least once. */
    static Rate timed(double seconds, Runnable call) {
        long cpuStart = processCpuNanos();
        long threadCpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long calls = 0;
        long best = Long.MAX_VALUE;
        long now = start;
        do {
            long before = now;
            call.run();
            calls++;
            now = System.nanoTime();
            best = Math.min(best, now - before);
        } while (now < deadline);
        return new Rate(calls, (now - start) / 1e9, best / 1e9, (processCpuNanos() - cpuStart) / 1e9,
                (THREADS.getCurrentThreadCpuTime() - threadCpuStart) / 1e9);
    }

    /** CPU time of this whole process so far, nanoseconds; -1 where the JVM cannot tell. */
    static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** This process's peak resident memory (VmHWM in /proc/self/status), bytes; -1 where there is no /proc. */
    static long peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
