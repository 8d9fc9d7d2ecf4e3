package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.astropt.stream.core.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** What the benchmark reports, never how fast: the figures exist, are consistent, and count the right things. */
class BenchModelCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void forwardFiguresAndTheBreakdownCountTheModelsMatrixProducts() throws Exception {
        JsonNode r = report("--matmul", 128, "--breakdown");
        assertEquals("forward", r.get("mode").asText());
        double cutouts = r.get("cutouts_per_s").asDouble();
        assertTrue(cutouts > 0);
        assertEquals(16 * cutouts, r.get("tokens_per_s").asDouble(), 1e-6 * cutouts);
        ModelConfig c = ModelConfig.preset("1M").config();
        assertEquals(2 * c.forwardFlops(16), r.get("flops_per_batch").asDouble(), 1);
        assertEquals(r.get("achieved_flops").asDouble() / r.get("matmul_flops").asDouble(), r.get("fraction_of_matmul").asDouble(), 1e-9);
        assertTrue(r.get("peak_rss_bytes").asLong() > 0);
        // on the CPU all of them load from DJL's libtorch (docs/MODEL.md); the breakdown below depends on it
        assertEquals("[\"attention\",\"linear+gelu\",\"linear+residual\",\"huber\"]", r.get("fused_kernels").toString());

        JsonNode b = r.get("breakdown");
        double products = 0;
        double attention = 0;
        for (JsonNode k : b.get("kinds")) {
            if (k.get("kind").asText().equals("matrix products")) products = k.get("ops").asDouble();
            if (k.get("kind").asText().equals("fused attention")) attention = k.get("ops").asDouble();
        }
        // Patch encoder 2, per block q/k/v, out projection, MLP up and down (4), head 3; q k^T and att v are inside
        // the fused attention, one call per block.
        assertEquals(2 + 4 * c.nLayer() + 3, products, 0.0, b.toString());
        assertEquals(c.nLayer(), attention, 0.0, b.toString());
        assertTrue(b.get("ops_per_pass").asDouble() > products);
        assertTrue(b.get("trivial_op_us").asDouble() > 0);
    }

    @Test
    void productsTimeEveryWeightShapeOfTheModelAtBatchTimesTokensRows() throws Exception {
        JsonNode r = report("--matmul", 0, "--products");
        ModelConfig c = ModelConfig.preset("1M").config();
        int e = c.nEmbd();
        int weights = 0;
        double pass = 0;
        Set<String> shapes = new HashSet<>();
        for (JsonNode p : r.get("products")) {
            assertEquals(32, p.get("rows").asInt(), p.toString());
            assertTrue(p.get("gflops").asDouble() > 0, p.toString());
            assertTrue(shapes.add(p.get("in").asInt() + "->" + p.get("out").asInt()), "each shape once: " + p);
            weights += p.get("per_pass").asInt();
            pass += p.get("per_pass").asInt() * p.get("thread_cpu_ms").asDouble();
        }
        // the same products the breakdown counts in a pass: patch encoder 2, four per block, head 3
        assertEquals(2 + 4 * c.nLayer() + 3, weights, r.get("products").toString());
        assertTrue(shapes.containsAll(List.of(c.tokenDim() + "->" + e, e + "->" + 3 * e, e + "->" + 4 * e,
                4 * e + "->" + e, e + "->" + c.tokenDim())), shapes.toString());
        assertEquals(pass, r.get("products_ms_per_pass").asDouble(), 1e-9 * pass);
    }

    @Test
    void trainingStepsAreMeasuredToo() throws Exception {
        JsonNode r = report("--matmul", 0, "--train");
        assertEquals("train", r.get("mode").asText());
        assertTrue(r.get("tokens_per_s").asDouble() > 0);
        assertEquals(3 * 2 * ModelConfig.preset("1M").config().forwardFlops(16), r.get("flops_per_batch").asDouble(), 1);
    }

    /** The JSON report of `astropt bench model` on 1M, 2 x 16 tokens, 0.3 s, with these options as well. */
    private static JsonNode report(Object... options) throws Exception {
        List<Object> args = new ArrayList<>(List.of("bench", "model", "--preset", "1M", "--tokens", 16, "--batch", 2,
                "--seconds", 0.3, "--json"));
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray());
        assertEquals(0, run.exit(), run.err());
        return JSON.readTree(run.outLines().get(0));
    }

    @Test
    void benchWithoutWhatToMeasureIsExitTwo() {
        CliRun run = CliRun.of("bench");
        assertEquals(AstroptCli.EXIT_BAD_INPUT, run.exit());
        assertEquals("astropt: bench needs a subcommand: model", run.errorLines().get(0));
    }
}
