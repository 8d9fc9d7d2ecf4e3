package org.astropt.stream.core.heads;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Score heads a test controls, for the pipeline's and the server's tests (no fitting): {@code artefact_nan_block}
 * fires (probability 0.993, threshold 0.5) on exactly the cutouts with a token more than 1 % of whose values are
 * equal ({@link HeadFeatures}' tokens.any_tied: a blank or zeroed region, a clipped core; noise never ties) and
 * stays at 0.007 elsewhere; {@code artefact} gives the same probability with no threshold (reported, never
 * flags); a novelty reference of 40 random embeddings; an ANOMALY quantile of 2, above any novelty, so no
 * ANOMALY flags.
 */
public final class TiedRegionHeads {

    /** The artefact kind the heads flag. */
    public static final String KIND = "nan_block";
    /** The score names every cutout gets from them. */
    public static final List<String> SCORES = List.of("surprise", "novelty", "artefact", "artefact_" + KIND);

    private TiedRegionHeads() {}

    /** The heads, for embeddings nEmbd wide. */
    public static ScoreHeads of(int nEmbd) {
        List<String> names = HeadFeatures.names(nEmbd);
        int features = names.size();
        double[] mean = new double[features], scale = new double[features], weights = new double[features];
        Arrays.fill(scale, 1);
        weights[names.indexOf("tokens.any_tied")] = 10;
        Random random = new Random(3);
        float[][] reference = new float[40][2 * nEmbd]; // HeadFeatures.noveltyVector: mean and max-pooled
        for (float[] v : reference) for (int j = 0; j < v.length; j++) v[j] = (float) random.nextGaussian();
        return new ScoreHeads(List.of(
                new LogisticHead("artefact", mean, scale, weights, -5, Double.NaN),
                new LogisticHead("artefact_" + KIND, mean, scale, weights, -5, 0.5)),
                NoveltyReference.of(reference, 5), 2.0, Map.of("source", "test: a head on tokens.any_tied"));
    }

    /** Whether a cutout's tokens [T][D] hold a token more than 1 % of whose values are equal: what the heads flag. */
    public static boolean hasTiedRegion(float[][] tokens) {
        for (float[] token : tokens) {
            Map<Float, Integer> counts = new HashMap<>();
            for (float v : token) {
                if (counts.merge(v, 1, Integer::sum) > 0.01 * token.length) return true;
            }
        }
        return false;
    }
}
