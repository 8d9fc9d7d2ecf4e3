package org.astropt.stream.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.astropt.stream.core.heads.HeadFeatures;
import org.astropt.stream.core.heads.LogisticHead;
import org.astropt.stream.core.heads.NoveltyReference;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Embedder;

/**
 * What a version's score heads cost per cutout beside the forward pass that precedes them, on the CPU: the
 * embed stage scores every cutout on its task thread ({@code MicroBatchEmbedder.records}) while the inference
 * thread runs the next batch. A model folder's forward pass over batches of random normalised 64 x 64 grz
 * sequences (16 tokens), then {@link ScoreHeads#score} with 8 logistic heads and a novelty reference of R random
 * embeddings (the trainer's default: 2000, k = 10), its two parts (HeadFeatures, novelty) timed alone, and
 * {@link ScoreHeads#NONE} (a version without heads). One line per round, after two warm-up rounds.
 *
 * <pre>
 *   ./mvnw -B -o -q -pl bench -am package -DskipTests
 *   java -cp 'bench/target/benchmarks.jar:bench/target/lib/*' org.astropt.stream.bench.ScoreCostBenchmark [MODEL_DIR [R [ROUNDS]]]
 * </pre>
 */
public final class ScoreCostBenchmark {

    private ScoreCostBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "models/astropt-1m-starter");
        int references = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int batchSize = 64, tokens = 16;
        try (AstroPTModel model = Checkpoint.load(dir, AstroPTModel.defaultDevice());
                Embedder embedder = new Embedder(model, new Embedder.Settings(32, Embedder.Settings.DEFAULT.bucketLengths(), -1))) {
            int width = model.config().nEmbd(), dim = model.config().tokenDim();
            Random random = new Random(1);
            ScoreHeads heads = heads(width, references, random);
            List<float[][]> batch = new ArrayList<>();
            for (int i = 0; i < batchSize; i++) {
                float[][] t = new float[tokens][dim];
                for (float[] row : t) for (int j = 0; j < dim; j++) row[j] = (float) random.nextGaussian();
                batch.add(t);
            }
            System.out.printf(Locale.ROOT, "%s (%d wide), batches of %d x %d tokens, %d heads, novelty over %d references; us per cutout%n",
                    dir, width, batchSize, tokens, heads.heads().size(), references);
            double sink = 0;
            for (int round = -2; round < rounds; round++) {
                long t0 = System.nanoTime();
                List<Embedder.Result> results = embedder.embed(batch);
                long t1 = System.nanoTime();
                for (int i = 0; i < batchSize; i++) sink += heads.score(batch.get(i), results.get(i)).scores().size();
                long t2 = System.nanoTime();
                for (int i = 0; i < batchSize; i++) sink += HeadFeatures.of(batch.get(i), results.get(i)).length;
                long t3 = System.nanoTime();
                for (int i = 0; i < batchSize; i++) sink += heads.novelty().orElseThrow().novelty(results.get(i).embedding());
                long t4 = System.nanoTime();
                for (int i = 0; i < batchSize; i++) sink += ScoreHeads.NONE.score(batch.get(i), results.get(i)).scores().size();
                long t5 = System.nanoTime();
                if (round < 0) continue;
                System.out.printf(Locale.ROOT, "forward %6.0f   score %6.0f (features %5.0f, novelty %5.0f)   no heads %4.0f%n",
                        (t1 - t0) / 1e3 / batchSize, (t2 - t1) / 1e3 / batchSize, (t3 - t2) / 1e3 / batchSize,
                        (t4 - t3) / 1e3 / batchSize, (t5 - t4) / 1e3 / batchSize);
            }
            if (sink == 42) System.out.println(); // keeps the work from being optimised away
        }
    }

    /** 8 heads (artefact and 7 kinds) with small random weights, and a novelty reference of random embeddings. */
    static ScoreHeads heads(int width, int references, Random random) {
        int features = HeadFeatures.names(width).size();
        List<LogisticHead> heads = new ArrayList<>();
        for (int h = 0; h < 8; h++) {
            double[] mean = new double[features], scale = new double[features], weights = new double[features];
            Arrays.fill(scale, 1);
            for (int j = 0; j < features; j++) weights[j] = random.nextGaussian() * 0.01;
            heads.add(new LogisticHead(h == 0 ? "artefact" : "artefact_kind" + h, mean, scale, weights, -2, 0.9));
        }
        float[][] reference = new float[references][2 * width]; // HeadFeatures.noveltyVector: mean and max-pooled
        for (float[] v : reference) for (int j = 0; j < v.length; j++) v[j] = (float) random.nextGaussian();
        return new ScoreHeads(heads, NoveltyReference.of(reference, 10), ScoreHeads.DEFAULT_ANOMALY_QUANTILE, Map.of());
    }
}
