package org.astropt.stream.flink.functions;

import java.util.Arrays;

/**
 * The flag threshold: a quantile of the last {@code window} surprise scores of one model version (a
 * ring buffer). Scores of different versions are not comparable, so a swap starts a fresh one. The same
 * scores are also kept sorted (one binary search and one array shift per score), so the quantile is a
 * lookup: sorting the window for every record cost the embed thread more than the flags were worth.
 */
final class SurpriseThreshold {

    private final double quantile;
    private final int minScores;
    private final float[] ring;
    /** The ring's scores in ascending order (first {@code count} entries). */
    private final float[] sorted;
    private int count;
    private int next;

    SurpriseThreshold(double quantile, int window, int minScores) {
        this.quantile = quantile;
        this.minScores = minScores;
        this.ring = new float[window];
        this.sorted = new float[window];
    }

    /** The threshold before this score is added (NaN while fewer than minScores are known), then adds it. */
    double observe(float score) {
        double threshold = threshold();
        if (Float.isFinite(score)) {
            if (count == ring.length) removeSorted(ring[next]);
            insertSorted(score);
            ring[next] = score;
            next = (next + 1) % ring.length;
            count = Math.min(count + 1, ring.length);
        }
        return threshold;
    }

    double threshold() {
        if (count < minScores) return Double.NaN;
        return sorted[(int) Math.min(count - 1, Math.floor(quantile * count))];
    }

    private void insertSorted(float score) {
        int at = Arrays.binarySearch(sorted, 0, count, score);
        if (at < 0) at = -at - 1;
        System.arraycopy(sorted, at, sorted, at + 1, count - at);
        sorted[at] = score;
    }

    /** Removes one copy of a score known to be present; count drops by one (observe adds it back). */
    private void removeSorted(float score) {
        int at = Arrays.binarySearch(sorted, 0, count, score);
        System.arraycopy(sorted, at + 1, sorted, at, count - at - 1);
        count--;
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
