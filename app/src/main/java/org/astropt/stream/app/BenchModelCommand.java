package org.astropt.stream.app;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.MklDispatch;
import org.astropt.stream.core.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code astropt bench model --preset P --tokens T --batch B --seconds S}: cutouts/s and tokens/s of
 * a preset with random weights on random tokens, the machine's fp32 matrix-product rate through DJL
 * in the same run, and the model's achieved FLOP/s as a fraction of it (FLOPs from
 * {@link ModelConfig#forwardFlops}; a training step counts 3x the forward: backward costs about
 * twice the forward). {@code --breakdown} shows where a forward pass's time goes
 * ({@link ForwardBreakdown}); {@code --products} times the model's own product shapes on their own
 * ({@link ModelBench#products}), to set beside PyTorch's (bench/scripts/vs_pytorch_model.py products).
 * Run each preset in its own JVM: the peak memory printed is the process's.
 *
 * <pre>
 *   bin/astropt bench model --preset 12M --tokens 256 --batch 32 --seconds 20
 *   bin/astropt bench model --preset 1M --tokens 64 --batch 1 --breakdown
 * </pre>
 */
@Command(name = "model", description = "Forward (or --train) throughput of a model preset with random weights on random"
        + " tokens, the machine's fp32 matmul rate through DJL, and the model's FLOP/s as a fraction of it.")
final class BenchModelCommand implements Callable<Integer> {

    @Option(names = "--preset", defaultValue = "1M", paramLabel = "NAME", description = "Model size (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--tokens", defaultValue = "64", paramLabel = "T",
            description = "Tokens the model reads per cutout: 64 = 128x128 px, 256 = 256x256 px (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "Cutouts per pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S",
            description = "Time spent measuring the model (default ${DEFAULT-VALUE}); the matmul takes a quarter of it, 1 to 5 s, best of 5 parts.")
    double seconds;

    @Option(names = "--train", description = "Measure training steps (forward, backward, clip, AdamW) instead of inference.")
    boolean train;

    @Option(names = "--breakdown", description = "Also show where a forward pass's time goes: op counts and times, per-op overhead.")
    boolean breakdown;

    @Option(names = "--products", description = "Also time the model's own matrix products on their own: each weight"
            + " shape at batch x tokens rows, ms and GFLOP/s per product, and what one pass's products take at"
            + " those rates.")
    boolean products;

    @Option(names = "--matmul", defaultValue = "1024", paramLabel = "N",
            description = "Side of the square fp32 product that measures the machine (default ${DEFAULT-VALUE}; 0 skips it).")
    int matmul;

    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch intra-op threads (default: -Dai.djl.pytorch.num_threads, else one per core).")
    Integer threads;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seeds weights and tokens (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object with every figure instead of text.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (tokens < 1 || batch < 1 || !(seconds > 0) || matmul < 0 || (threads != null && threads < 1)) {
            throw new IllegalArgumentException("--tokens, --batch, --seconds and --threads must be positive, --matmul 0 or more");
        }
        ModelConfig.Preset p = ModelConfig.preset(preset);
        if (tokens > p.config().blockSize()) {
            throw new IllegalArgumentException("--tokens " + tokens + " exceeds the model's block size " + p.config().blockSize());
        }
        Engine.getInstance(); // starts libtorch, so the thread count below sticks
        if (threads != null) JniUtils.setNumThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode report = new ObjectMapper().createObjectNode();
        try (AstroPTModel model = AstroPTModel.create(p.config(), AstroPTModel.defaultDevice(), seed)) {
            ModelConfig c = model.config();
            MklDispatch mkl = MklDispatch.current();
            report.put("preset", p.name()).put("parameters", model.parameterCount()).put("mode", train ? "train" : "forward")
                    .put("batch", batch).put("tokens", tokens).put("threads", JniUtils.getNumThreads())
                    .put("device", model.device().toString()).put("mkl_dispatch", mkl.name());
            List<String> fused = AstroPTModel.fusedKernels(model.device());
            fused.forEach(report.putArray("fused_kernels")::add);
            if (!json) {
                out.printf(Locale.ROOT, "model %s: %d layers, %d heads, n_embd %d, %d bands, %,d parameters; %s, %d libtorch threads%n",
                        p.name(), c.nLayer(), c.nHead(), c.nEmbd(), c.nChan(), model.parameterCount(), model.device(),
                        JniUtils.getNumThreads());
                if (!model.device().isGpu()) out.println(mkl.description());
                out.println("fused inference kernels: " + (fused.isEmpty() ? "none (all written out)" : String.join(", ", fused)));
                out.flush();
            }
            // Training reads T of T + 1 tokens (it predicts tokens 1..T), so both modes read T per cutout.
            List<float[][]> sequences = ModelBench.randomSequences(batch, train ? tokens + 1 : tokens, c.tokenDim(), seed);
            ModelBench.Rate rate = train ? ModelBench.train(model, sequences, seconds) : ModelBench.forward(model, sequences, seconds);
            double flopsPerBatch = (train ? 3 : 1) * batch * c.forwardFlops(tokens);
            double achieved = flopsPerBatch * rate.perSecond();
            report.put("calls", rate.calls()).put("seconds", rate.seconds())
                    .put("cutouts_per_s", batch * rate.perSecond()).put("tokens_per_s", (double) batch * tokens * rate.perSecond())
                    .put("ms_per_batch", rate.secondsPerCall() * 1000).put("ms_best_batch", rate.bestSeconds() * 1000)
                    .put("cpu_ms_per_batch", rate.cpuSeconds() / rate.calls() * 1000)
                    .put("cutouts_per_cpu_s", batch * rate.perCpuSecond())
                    .put("thread_cpu_ms_per_batch", rate.threadCpuSeconds() / rate.calls() * 1000)
                    .put("cutouts_per_thread_cpu_s", batch * rate.perThreadCpuSecond())
                    .put("flops_per_batch", flopsPerBatch).put("achieved_flops", achieved)
                    .put("best_batch_flops", flopsPerBatch / rate.bestSeconds());
            if (!json) {
                out.printf(Locale.ROOT, "%s, batch %d x %d tokens: %d %s in %.1f s: %.1f cutouts/s, %.0f tokens/s (%.1f ms per batch, best %.1f)%n",
                        train ? "training" : "forward", batch, tokens, rate.calls(), train ? "steps" : "batches", rate.seconds(),
                        batch * rate.perSecond(), batch * tokens * rate.perSecond(), rate.secondsPerCall() * 1000,
                        rate.bestSeconds() * 1000);
                out.printf(Locale.ROOT, "  CPU time per batch: %.1f ms of the process, %.1f ms of the calling thread (%.1f cutouts per"
                                + " thread CPU second)%n", rate.cpuSeconds() / rate.calls() * 1000,
                        rate.threadCpuSeconds() / rate.calls() * 1000, batch * rate.perThreadCpuSecond());
                out.printf(Locale.ROOT, "  %.3f GFLOP per batch (%smatrix products only) -> %.2f GFLOP/s%n", flopsPerBatch / 1e9,
                        train ? "3 x forward, " : "", achieved / 1e9);
                out.flush();
            }
            double matmulFlops = Double.NaN;
            if (matmul > 0) {
                double matmulSeconds = Math.min(5, Math.max(1, seconds / 4));
                matmulFlops = ModelBench.matmulFlops(model, matmul, matmulSeconds);
                double best = flopsPerBatch / rate.bestSeconds();
                report.put("matmul_n", matmul).put("matmul_flops", matmulFlops).put("fraction_of_matmul", achieved / matmulFlops)
                        .put("best_batch_fraction_of_matmul", best / matmulFlops);
                if (!json) {
                    out.printf(Locale.ROOT, "matmul %dx%d fp32 through DJL (best of %d): %.2f GFLOP/s; the model reaches %.1f%% of it"
                                    + " (best batch %.1f%%)%n", matmul, matmul, ModelBench.MATMUL_CHUNKS, matmulFlops / 1e9,
                            100 * achieved / matmulFlops, 100 * best / matmulFlops);
                    out.flush();
                }
            }
            if (breakdown) breakdown(model, sequences, flopsPerBatch, matmulFlops, report, out);
            if (products) products(model, report, out);
        }
        long peak = ModelBench.peakResidentBytes();
        report.put("peak_rss_bytes", peak);
        if (json) out.println(report);
        else out.printf(Locale.ROOT, "peak resident memory of this process (VmHWM): %.0f MiB%n", peak / 1048576.0);
        out.flush();
        return 0;
    }

    private void products(AstroPTModel model, ObjectNode report, PrintWriter out) {
        int rows = batch * tokens;
        List<ModelBench.Product> ps = ModelBench.products(model, rows, Math.min(20, Math.max(2, seconds)));
        ArrayNode list = report.putArray("products");
        double pass = 0;
        for (ModelBench.Product p : ps) {
            list.addObject().put("rows", p.rows()).put("in", p.in()).put("out", p.out())
                    .put("per_pass", p.weights().size()).put("thread_cpu_ms", p.threadCpuSeconds() * 1000)
                    .put("gflops", p.flopsPerThreadCpuSecond() / 1e9);
            pass += p.secondsPerPass();
        }
        report.put("products_ms_per_pass", pass * 1000);
        if (json) return;
        out.printf(Locale.ROOT, "the model's matrix products on their own, %d rows (batch %d x %d tokens), thread CPU,"
                + " best of %d:%n", rows, batch, tokens, ModelBench.MATMUL_CHUNKS);
        for (ModelBench.Product p : ps) {
            out.printf(Locale.ROOT, "  %5d x %5d -> %5d  x%-3d %9.3f ms %8.1f GFLOP/s  (%s)%n", p.rows(), p.in(),
                    p.out(), p.weights().size(), p.threadCpuSeconds() * 1000, p.flopsPerThreadCpuSecond() / 1e9,
                    p.weights().get(0));
        }
        out.printf(Locale.ROOT, "  one pass's products at these rates: %.2f ms%n", pass * 1000);
        out.flush();
    }

    private void breakdown(AstroPTModel model, List<float[][]> sequences, double flopsPerBatch, double matmulFlops,
                           ObjectNode report, PrintWriter out) throws IOException {
        List<float[][]> forward = train ? sequences.stream().map(s -> java.util.Arrays.copyOf(s, tokens)).toList() : sequences;
        ForwardBreakdown.Result r = ForwardBreakdown.measure(model, forward, Math.min(seconds, 10));
        double ideal = train ? flopsPerBatch / 3 : flopsPerBatch;
        double idealMillis = ideal / matmulFlops * 1000;
        ObjectNode b = report.putObject("breakdown");
        b.put("wall_ms", r.wallMillis()).put("ops_per_pass", r.opsPerPass()).put("profiled_op_ms", r.opMillis())
                .put("trivial_op_us", r.trivialMicros()).put("overhead_ms", r.overheadMillis());
        if (!Double.isNaN(idealMillis)) b.put("matmul_rate_ms", idealMillis);
        ArrayNode kinds = b.putArray("kinds");
        r.kinds().forEach(k -> kinds.addObject().put("kind", k.name()).put("ops", k.countPerPass()).put("ms", k.millisPerPass()));
        ArrayNode ops = b.putArray("ops");
        r.ops().forEach(k -> ops.addObject().put("op", k.name()).put("ops", k.countPerPass()).put("ms", k.millisPerPass()));
        if (json) return;
        out.printf(Locale.ROOT, "breakdown of one forward pass, batch %d x %d tokens:%n", forward.size(), tokens);
        out.printf(Locale.ROOT, "  wall time                                  %8.2f ms%n", r.wallMillis());
        out.printf(Locale.ROOT, "  libtorch operations                        %8.0f per pass%n", r.opsPerPass());
        out.printf(Locale.ROOT, "  time inside them (profiler, upper bound)   %8.2f ms  %5.1f%%%n", r.opMillis(), 100 * r.opMillis() / r.wallMillis());
        out.printf(Locale.ROOT, "  one trivial op through DJL                 %8.2f us%n", r.trivialMicros());
        out.printf(Locale.ROOT, "  ops x trivial op = per-op overhead         %8.2f ms  %5.1f%%%n", r.overheadMillis(),
                100 * r.overheadMillis() / r.wallMillis());
        if (!Double.isNaN(idealMillis)) {
            out.printf(Locale.ROOT, "  the FLOPs at the matmul rate               %8.2f ms  %5.1f%%%n", idealMillis, 100 * idealMillis / r.wallMillis());
        }
        out.printf(Locale.ROOT, "  %-34s %8s %10s%n", "by kind (profiled)", "ops", "ms/pass");
        for (ForwardBreakdown.Kind k : r.kinds()) {
            out.printf(Locale.ROOT, "  %-34s %8.0f %10.3f%n", k.name(), k.countPerPass(), k.millisPerPass());
        }
        out.printf(Locale.ROOT, "  %-34s %8s %10s%n", "largest operations", "ops", "ms/pass");
        for (ForwardBreakdown.Kind k : r.ops().subList(0, Math.min(8, r.ops().size()))) {
            out.printf(Locale.ROOT, "  %-34s %8.0f %10.3f%n", k.name(), k.countPerPass(), k.millisPerPass());
        }
        out.flush();
    }
}
