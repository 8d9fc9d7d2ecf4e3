package org.astropt.stream.core.model;

import java.util.List;
import java.util.Optional;

/**
 * The per-dimension mean and standard deviation of one model version's embeddings, measured by the trainer
 * on its held-out sequences and published in the version folder ({@link ModelFolder#EMBEDDING_STATS_FILE}).
 * Similarity compares {@link #standardise standardised} embeddings: AstroPT v1 embeddings (the last block's
 * output averaged over tokens) share one large common direction and a few dimensions of much larger spread
 * than the rest, so raw cosine answers 0.999 for almost any pair and ranks neighbours by those few
 * dimensions (docs/BENCHMARKS.md, "Similarity").
 *
 * @param count how many embeddings were measured
 * @param mean  [n_embd] per-dimension mean
 * @param std   [n_embd] per-dimension standard deviation (N - 1), every one positive and finite
 */
public record EmbeddingStats(int count, float[] mean, float[] std) {

    /**
     * A dimension whose spread is below this share of the median dimension's is treated as constant (scale 1
     * after centring): dividing by a near-zero std would turn float noise into the largest dimension.
     */
    static final double CONSTANT_SHARE = 1e-6;

    public EmbeddingStats {
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("embedding statistics need a mean and a std of one length, got "
                    + (mean == null ? "no mean" : mean.length + " means") + " and " + (std == null ? "no std" : std.length + " stds"));
        }
        for (int i = 0; i < std.length; i++) {
            if (!Float.isFinite(mean[i]) || !Float.isFinite(std[i]) || std[i] <= 0) {
                throw new IllegalArgumentException("embedding statistics of dimension " + i + " are mean " + mean[i] + ", std " + std[i]
                        + ": the mean must be finite and the std finite and positive");
            }
        }
    }

    /**
     * The statistics of a model's embeddings of these token sequences (the trainer's held-out sequences, a
     * training run's validation set); empty with fewer than two finite embeddings (too few sequences, or a
     * diverged model), when the server compares raw vectors and says so.
     */
    public static Optional<EmbeddingStats> measure(AstroPTModel model, List<float[][]> sequences) {
        if (sequences.size() < 2) return Optional.empty();
        try (Embedder embedder = new Embedder(model, Embedder.Settings.DEFAULT)) {
            return ofFinite(embedder.embed(sequences).stream().map(Embedder.Result::embedding).toList());
        }
    }

    /** {@link #of} these embeddings; empty with fewer than two finite ones. */
    public static Optional<EmbeddingStats> ofFinite(List<float[]> embeddings) {
        if (embeddings.stream().filter(EmbeddingStats::finite).count() < 2) return Optional.empty();
        return Optional.of(of(embeddings));
    }

    /** Mean and std (N - 1) of at least two embeddings of one width; embeddings with a NaN or infinite value are left out. */
    public static EmbeddingStats of(List<float[]> embeddings) {
        List<float[]> finite = embeddings.stream().filter(EmbeddingStats::finite).toList();
        if (finite.size() < 2) {
            throw new IllegalArgumentException("embedding statistics need at least 2 finite embeddings, got " + finite.size());
        }
        int d = finite.get(0).length;
        int n = finite.size();
        double[] sum = new double[d];
        for (float[] v : finite) {
            if (v.length != d) throw new IllegalArgumentException("embeddings of widths " + d + " and " + v.length + " cannot share statistics");
            for (int i = 0; i < d; i++) sum[i] += v[i];
        }
        float[] mean = new float[d];
        for (int i = 0; i < d; i++) mean[i] = (float) (sum[i] / n);
        double[] squares = new double[d];
        for (float[] v : finite) for (int i = 0; i < d; i++) squares[i] += (v[i] - sum[i] / n) * (v[i] - sum[i] / n);
        double[] sd = new double[d];
        for (int i = 0; i < d; i++) sd[i] = Math.sqrt(squares[i] / (n - 1));
        double[] sorted = sd.clone();
        java.util.Arrays.sort(sorted);
        double floor = Math.max(sorted[d / 2] * CONSTANT_SHARE, Double.MIN_NORMAL);
        float[] std = new float[d];
        for (int i = 0; i < d; i++) std[i] = sd[i] > floor ? (float) sd[i] : 1f;
        return new EmbeddingStats(n, mean, std);
    }

    public int dimensions() { return mean.length; }

    /** (v - mean) / std, a new array; v must have {@link #dimensions} values. */
    public float[] standardise(float[] v) {
        requireWidth(v);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (v[i] - mean[i]) / std[i];
        return out;
    }

    /** The inverse of {@link #standardise}: z * std + mean, a new array. */
    public float[] unstandardise(float[] z) {
        requireWidth(z);
        float[] out = new float[z.length];
        for (int i = 0; i < z.length; i++) out[i] = z[i] * std[i] + mean[i];
        return out;
    }

    private void requireWidth(float[] v) {
        if (v.length != mean.length) {
            throw new IllegalArgumentException("an embedding of " + v.length + " values cannot be standardised with statistics of "
                    + mean.length + " dimensions");
        }
    }

    private static boolean finite(float[] v) {
        for (float x : v) if (!Float.isFinite(x)) return false;
        return true;
    }
}
