package org.astropt.stream.core.heads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.astropt.stream.core.model.Embedder;

/**
 * What a version's probe heads read for one cutout: its embedding, then statistics of how well the model
 * predicted each token ({@link Embedder.Result#tokenSurprise}), then data-quality statistics of the tokens
 * themselves. The embedding alone dilutes a local artefact among the cutout's tokens, and AstroPT v1 normalises
 * every token on its own, so a block of missing pixels (set to 0 by the tokenizer) or a chip edge is an easy,
 * unsurprising patch; the two statistics groups keep what the mean loses:
 * <ul>
 *   <li>surprise: log of the mean, maximum, minimum, median and top-two mean of the per-token errors, and
 *       their coefficient of variation (one badly predicted token among easy ones);</li>
 *   <li>tokens: the largest share of one token's values that are exactly equal (a constant region: pixels
 *       that were blank or zero before normalisation; ordinary noise never ties), its mean over tokens, the
 *       log of the largest |value| (a cosmic ray or hot pixel stands far out of its token), its mean over
 *       tokens, and whether any token has ties at all.</li>
 * </ul>
 * docs/SCIENCE.md measures each group's share of the artefact figures.
 */
public final class HeadFeatures {

    /** The names of the features after the embedding's n_embd values, in order. */
    public static final List<String> STATISTICS = List.of(
            "surprise.log_mean", "surprise.log_max", "surprise.log_min", "surprise.log_median", "surprise.log_top2",
            "surprise.cv", "tokens.max_tied", "tokens.mean_tied", "tokens.log_max_abs", "tokens.log_mean_max_abs",
            "tokens.any_tied");

    /** A token with more than this share of tied values counts in tokens.any_tied. */
    static final double TIED = 0.01;
    private static final double EPS = 1e-6;

    private HeadFeatures() {}

    /** Feature names for embeddings of width nEmbd: embedding.0 .. embedding.{nEmbd-1}, then {@link #STATISTICS}. */
    public static List<String> names(int nEmbd) {
        List<String> names = new ArrayList<>(nEmbd + STATISTICS.size());
        for (int i = 0; i < nEmbd; i++) names.add("embedding." + i);
        names.addAll(STATISTICS);
        return names;
    }

    /** The features of one cutout: its tokens [T][D] as the model read them, and the model's result for them. */
    public static double[] of(float[][] tokens, Embedder.Result result) {
        float[] e = result.embedding();
        double[] x = new double[e.length + STATISTICS.size()];
        for (int i = 0; i < e.length; i++) x[i] = e[i];
        int k = e.length;
        for (double v : surprise(result.tokenSurprise())) x[k++] = v;
        for (double v : tokens(tokens)) x[k++] = v;
        return x;
    }

    /**
     * What novelty compares ({@link NoveltyReference}): the embedding, then the same block's output maximised over
     * tokens ({@link Embedder.Result#maxPooled}) [2 n_embd]. The mean alone places a merger's tidal tail or a
     * lensed arc, one or two odd tokens among sixteen, close to ordinary galaxies; the maximum keeps them apart
     * (docs/SCIENCE.md, "Novelty").
     */
    public static float[] noveltyVector(Embedder.Result r) {
        float[] e = r.embedding(), m = r.maxPooled();
        float[] v = Arrays.copyOf(e, e.length + m.length);
        System.arraycopy(m, 0, v, e.length, m.length);
        return v;
    }

    /** The six surprise statistics; zeros for a one-token cutout (nothing was predicted). */
    static double[] surprise(float[] perToken) {
        int m = perToken.length;
        if (m == 0) return new double[6];
        float[] s = perToken.clone();
        Arrays.sort(s);
        double sum = 0, squares = 0;
        for (float v : s) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / m;
        double sd = Math.sqrt(Math.max(0, squares / m - mean * mean));
        double top2 = m >= 2 ? (s[m - 1] + s[m - 2]) / 2.0 : s[m - 1];
        return new double[] {log(mean), log(s[m - 1]), log(s[0]), log(s[m / 2]), log(top2), sd / (mean + EPS)};
    }

    /** The five token statistics, the last of {@link #STATISTICS}: what the tokens alone say, no model involved. */
    public static double[] tokens(float[][] tokens) {
        double maxTied = 0, meanTied = 0, maxAbs = 0, meanMaxAbs = 0;
        for (float[] token : tokens) {
            float[] v = token.clone();
            Arrays.sort(v);
            int longest = 1;
            for (int j = 1, run = 1; j < v.length; j++) {
                run = v[j] == v[j - 1] ? run + 1 : 1;
                longest = Math.max(longest, run);
            }
            double tied = (double) longest / v.length;
            maxTied = Math.max(maxTied, tied);
            meanTied += tied / tokens.length;
            double abs = Math.max(Math.abs(v[0]), Math.abs(v[v.length - 1]));
            maxAbs = Math.max(maxAbs, abs);
            meanMaxAbs += abs / tokens.length;
        }
        return new double[] {maxTied, meanTied, log(maxAbs), log(meanMaxAbs), maxTied > TIED ? 1 : 0};
    }

    private static double log(double v) {
        return Math.log(Math.max(0, v) + EPS);
    }
}
