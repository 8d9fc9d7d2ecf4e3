package org.astropt.stream.app;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;

/**
 * Where the time of one forward pass goes, for small batches where the fixed cost of each
 * operation may matter more than the arithmetic:
 * <ul>
 *   <li>the wall time of a pass through the {@link Embedder};</li>
 *   <li>the operations libtorch runs in it, counted and timed with libtorch's own profiler (the
 *       top-level aten:: calls, i.e. those DJL makes; nested ones are inside their time);</li>
 *   <li>the cost of a trivial operation through DJL (adding two one-element arrays: Java object,
 *       JNI call, dispatch, allocation, and no arithmetic), so ops x that cost estimates the
 *       per-operation overhead of the pass.</li>
 * </ul>
 * The profiler adds its own cost to each op it times, so its times are upper bounds; its counts are
 * exact.
 */
final class ForwardBreakdown {

    /** Passes run under the profiler: enough to average, few enough to keep the trace small. */
    static final int PROFILED_PASSES = 5;

    /** One kind of operation in a pass: how many per pass and their time per pass (profiled). */
    record Kind(String name, double countPerPass, double millisPerPass) {}

    /**
     * @param wallMillis    one pass, unprofiled
     * @param opsPerPass    top-level libtorch operations per pass
     * @param opMillis      their time per pass, as the profiler saw it
     * @param trivialMicros one trivial operation through DJL
     * @param kinds         operations grouped by kind, largest time first
     * @param ops           operations by aten name, largest time first
     */
    record Result(double wallMillis, double opsPerPass, double opMillis, double trivialMicros, List<Kind> kinds, List<Kind> ops) {

        /** Estimated fixed cost of the pass's operations: their count times a trivial op's cost. */
        double overheadMillis() { return opsPerPass * trivialMicros / 1000; }
    }

    private ForwardBreakdown() {}

    static Result measure(AstroPTModel model, List<float[][]> batch, double seconds) throws IOException {
        Embedder.Settings settings = new Embedder.Settings(batch.size(), Embedder.Settings.DEFAULT.bucketLengths(), -1);
        try (Embedder embedder = new Embedder(model, settings)) {
            for (int i = 0; i < ModelBench.WARMUP_CALLS; i++) embedder.embed(batch);
            double wall = ModelBench.timed(seconds * 0.7, () -> embedder.embed(batch)).secondsPerCall() * 1000;
            double trivial = trivialOpMicros(model, Math.max(0.2, seconds * 0.2));
            Path trace = Files.createTempFile("astropt-profile", ".json");
            try {
                JniUtils.startProfile(false, false, false);
                for (int i = 0; i < PROFILED_PASSES; i++) embedder.embed(batch);
                JniUtils.stopProfile(trace.toString());
                return summarise(topLevel(trace), wall, trivial);
            } finally {
                Files.deleteIfExists(trace);
            }
        }
    }

    /** Adding two one-element arrays through DJL, repeated: microseconds per operation. */
    static double trivialOpMicros(AstroPTModel model, double seconds) {
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = model.newBatchManager()) {
            NDArray x = m.create(1f);
            for (int i = 0; i < 1000; i++) x.add(x).close();
            return ModelBench.timed(seconds, () -> x.add(x).close()).secondsPerCall() * 1e6;
        }
    }

    /** A traced operation: name, start and length in microseconds. */
    private record Event(String name, double start, double micros) {}

    /** The trace's complete events that no other event on their thread encloses. */
    static List<Event> topLevel(Path trace) throws IOException {
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<Event>> byThread = new HashMap<>();
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText())) continue;
            byThread.computeIfAbsent(e.path("pid").asText() + "/" + e.path("tid").asText(), k -> new ArrayList<>())
                    .add(new Event(e.path("name").asText(), e.path("ts").asDouble(), e.path("dur").asDouble()));
        }
        List<Event> top = new ArrayList<>();
        for (List<Event> thread : byThread.values()) {
            thread.sort(Comparator.comparingDouble(Event::start).thenComparing(Comparator.comparingDouble(Event::micros).reversed()));
            double end = Double.NEGATIVE_INFINITY;
            for (Event e : thread) {
                if (e.start() >= end) {
                    top.add(e);
                    end = e.start() + e.micros();
                }
            }
        }
        return top;
    }

    private static Result summarise(List<Event> top, double wallMillis, double trivialMicros) {
        Map<String, double[]> byName = new LinkedHashMap<>(); // name -> {count, micros}
        Map<String, double[]> byKind = new LinkedHashMap<>();
        double micros = 0;
        for (Event e : top) {
            add(byName, e.name(), e.micros());
            add(byKind, kind(e.name()), e.micros());
            micros += e.micros();
        }
        return new Result(wallMillis, (double) top.size() / PROFILED_PASSES, micros / PROFILED_PASSES / 1000, trivialMicros,
                perPass(byKind), perPass(byName));
    }

    private static void add(Map<String, double[]> into, String key, double micros) {
        double[] v = into.computeIfAbsent(key, k -> new double[2]);
        v[0]++;
        v[1] += micros;
    }

    private static List<Kind> perPass(Map<String, double[]> totals) {
        return totals.entrySet().stream()
                .map(e -> new Kind(e.getKey(), e.getValue()[0] / PROFILED_PASSES, e.getValue()[1] / PROFILED_PASSES / 1000))
                .sorted(Comparator.comparingDouble(Kind::millisPerPass).reversed()).toList();
    }

    /** Groups aten operations by what they cost: arithmetic-heavy products, memory-bound passes, bookkeeping. */
    static String kind(String aten) {
        String op = aten.startsWith("aten::") ? aten.substring(6) : aten;
        return switch (op) {
            case "matmul", "mm", "bmm", "addmm", "linear", "baddbmm" -> "matrix products";
            // FusedLinear's TorchScript methods (a product with the GELU or the residual sum in its kernel, or
            // added into the residual), the operators inside them (oneDNN's, addmm_)
            case "linear_gelu_tanh", "linear_gelu_tanh_bias", "linear_add", "linear_add_bias", "linear_add_into",
                 "mkldnn::_linear_pointwise", "addmm_" -> "matrix products";
            // FusedAttention's TorchScript module: the profiler lists its method, the fused kernel inside it
            case "forward", "scaled_dot_product_attention", "_scaled_dot_product_flash_attention_for_cpu" -> "fused attention";
            case "layer_norm", "native_layer_norm", "softmax", "_softmax", "sum", "mean" -> "normalisation and reductions";
            case "add", "add_", "sub", "mul", "mul_", "div", "tanh", "relu", "abs", "where", "ge", "lt", "gt", "le", "pow",
                 "sqrt", "neg", "minimum", "maximum", "clamp", "gelu", "exp", "huber_loss",
                 "huber" /* FusedHuber's TorchScript method */ -> "elementwise";
            case "reshape", "view", "permute", "transpose", "t", "split", "slice", "select", "unsqueeze", "squeeze",
                 "expand", "as_strided", "contiguous", "_unsafe_view", "index", "narrow", "chunk" -> "views and reshapes";
            case "zeros", "full", "arange", "empty", "ones", "to", "copy_", "clone", "detach", "_to_copy", "zero_",
                 "fill_", "scalar_tensor", "lift_fresh" -> "array creation and copies";
            default -> "other (" + op + ")";
        };
    }
}
