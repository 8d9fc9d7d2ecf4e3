package org.astropt.stream.flink.functions;

import java.util.Arrays;

/**
 * The flag threshold: a quantile of the last {@code window} surprise scores of one model version (a
 * ring buffer). Scores of different versions are not comparable, so a swap starts a fresh one.
 */
final class SurpriseThreshold {

    private final double quantile;
    private final int minScores;
    private final float[] ring;
    private int count;
    private int next;

    SurpriseThreshold(double quantile, int window, int minScores) {
        this.quantile = quantile;
        this.minScores = minScores;
        this.ring = new float[window];
    }

    /** The threshold before this score is added (NaN while fewer than minScores are known), then adds it. */
    double observe(float score) {
        double threshold = threshold();
        if (Float.isFinite(score)) {
            ring[next] = score;
            next = (next + 1) % ring.length;
            count = Math.min(count + 1, ring.length);
        }
        return threshold;
    }

    double threshold() {
        if (count < minScores) return Double.NaN;
        float[] sorted = Arrays.copyOf(ring, count);
        Arrays.sort(sorted);
        return sorted[(int) Math.min(count - 1, Math.floor(quantile * count))];
    }

    /** The scores, oldest first: what a checkpoint keeps. */
    float[] scores() {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = ring[(next - count + i + ring.length) % ring.length];
        return out;
    }

    void restore(float[] scores) {
        for (float s : scores) observe(s);
    }
}
