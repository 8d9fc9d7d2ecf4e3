package org.astropt.stream.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.LongStream;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.sim.SyntheticGalaxy;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;

/**
 * The "Similarity" figures of docs/BENCHMARKS.md: how well the server's {@link SimilarityIndex} separates
 * morphologies with raw, centred and standardised vectors. Statistics come from one synthetic survey (the
 * trainer's part: the mean and std of a reference sample's embeddings), the figures from another with a fresh
 * seed: for each object its k nearest by the index, their similarities (median, 5th and 95th percentiles, pooled
 * over every query) and the share with the query's morphology (purity@k, beside the base rate of a random
 * other object), and the similarity of random pairs.
 *
 * <pre>
 * java -cp model-server/target/test-classes:model-server/target/classes:core/target/classes:schemas/target/classes:kafka/target/classes:'app/target/lib/*' \
 *   org.astropt.stream.server.SimilaritySpread MODEL_DIR [STATS_SEED STATS_N EVAL_SEED EVAL_N K]
 * </pre>
 */
public final class SimilaritySpread {

    private SimilaritySpread() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        long statsSeed = args.length > 1 ? Long.parseLong(args[1]) : 12;
        int statsN = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        long evalSeed = args.length > 3 ? Long.parseLong(args[3]) : 13;
        int evalN = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        int k = args.length > 5 ? Integer.parseInt(args[5]) : 10;

        List<SyntheticGalaxy> eval = galaxies(evalSeed, evalN);
        List<float[]> reference;
        List<float[]> vectors;
        try (AstroPTModel m = Checkpoint.load(model, AstroPTModel.defaultDevice());
                Embedder embedder = new Embedder(m, Embedder.Settings.DEFAULT)) {
            reference = embed(embedder, galaxies(statsSeed, statsN));
            vectors = embed(embedder, eval);
        }
        String[] morphology = eval.stream().map(g -> g.truth().morphology().name()).toArray(String[]::new);
        EmbeddingStats stats = EmbeddingStats.of(reference);
        float[] ones = new float[stats.dimensions()];
        Arrays.fill(ones, 1f);
        System.out.printf(Locale.ROOT, "model %s; statistics from %d cutouts of seed %d; figures on %d cutouts of seed %d, k = %d%n",
                model, statsN, statsSeed, evalN, evalSeed, k);
        System.out.printf(Locale.ROOT, "%-13s %-28s %-28s %s%n", "vectors", "top-k sim p5 / median / p95", "random pairs p5 / med / p95",
                "purity@k (base rate)");
        report("raw", null, vectors, morphology, k);
        report("centred", new EmbeddingStats(stats.count(), stats.mean(), ones), vectors, morphology, k);
        report("standardised", stats, vectors, morphology, k);
    }

    static void report(String name, EmbeddingStats stats, List<float[]> vectors, String[] morphology, int k) {
        SimilarityIndex index = new SimilarityIndex(vectors.size());
        if (stats != null) index.useStatistics("m:1", stats);
        for (int i = 0; i < vectors.size(); i++) index.put(Integer.toString(i), "m:1", vectors.get(i));
        List<Double> top = new ArrayList<>();
        double purity = 0;
        for (int i = 0; i < vectors.size(); i++) {
            int same = 0;
            List<SimilarityIndex.Neighbour> found = index.nearest(Integer.toString(i), k);
            for (SimilarityIndex.Neighbour n : found) {
                top.add((double) n.similarity());
                if (morphology[Integer.parseInt(n.id())].equals(morphology[i])) same++;
            }
            purity += (double) same / found.size() / vectors.size();
        }
        var unit = index.newest("m:1", vectors.size());
        List<float[]> units = new ArrayList<>(unit.values());
        Random random = new Random(7);
        List<Double> pairs = new ArrayList<>();
        for (int p = 0; p < 20_000; p++) {
            int a = random.nextInt(units.size()), b = random.nextInt(units.size());
            if (a != b) pairs.add((double) SimilarityIndex.dot(units.get(a), units.get(b)));
        }
        System.out.printf(Locale.ROOT, "%-13s %7.4f / %7.4f / %7.4f   %7.4f / %7.4f / %7.4f   %.3f (%.3f)%n", name,
                quantile(top, 0.05), quantile(top, 0.5), quantile(top, 0.95),
                quantile(pairs, 0.05), quantile(pairs, 0.5), quantile(pairs, 0.95), purity, baseRate(morphology));
    }

    /** The chance that a random other object shares an object's morphology: sum over classes of n_c (n_c - 1) / (n (n - 1)). */
    static double baseRate(String[] labels) {
        java.util.Map<String, Long> counts = Arrays.stream(labels).collect(java.util.stream.Collectors.groupingBy(s -> s,
                java.util.stream.Collectors.counting()));
        double n = labels.length;
        return counts.values().stream().mapToDouble(c -> c * (c - 1.0)).sum() / (n * (n - 1));
    }

    static double quantile(List<Double> values, double q) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[(int) Math.min(v.length - 1, Math.round(q * (v.length - 1)))];
    }

    private static List<SyntheticGalaxy> galaxies(long seed, int n) {
        SyntheticSurvey survey = new SyntheticSurvey(seed, SyntheticSurvey.DEFAULT_SIZE, n);
        return LongStream.range(0, n).parallel().mapToObj(survey::galaxy).toList();
    }

    private static List<float[]> embed(Embedder embedder, List<SyntheticGalaxy> galaxies) {
        PatchTokenizer tokenizer = new PatchTokenizer();
        List<float[][]> sequences = galaxies.parallelStream().map(g -> tokenizer.tokenize(g.id(), g.image()).rows()).toList();
        return embedder.embed(sequences).stream().map(Embedder.Result::embedding).toList();
    }
}
