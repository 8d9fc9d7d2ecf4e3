package org.astropt.stream.core.heads;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * How unlike a version's reference population an object is (its {@link HeadFeatures#noveltyVector}): the mean Euclidean distance to its k nearest
 * reference embeddings, both standardised with the reference's own per-dimension mean and scale, turned into a
 * calibrated novelty: the share of the reference whose own distance (to its k nearest others) is smaller. So a
 * novelty of 0.99 means rarer than 99 % of the reference. The reference is what the trainer embedded from the
 * stream, with objects people labelled {@code interesting} left out and those labelled {@code normal} or as an
 * artefact kept in, so they stop counting as novel.
 *
 * @param centre      per-dimension mean of the reference embeddings
 * @param scale       per-dimension scale (positive)
 * @param reference   standardised reference embeddings [R][n_embd]
 * @param k           neighbours averaged
 * @param calibration leave-one-out distances of the reference's calibration objects, ascending
 */
public record NoveltyReference(float[] centre, float[] scale, float[][] reference, int k, double[] calibration) {

    public NoveltyReference {
        if (reference.length <= k || calibration.length == 0) {
            throw new IllegalArgumentException("a novelty reference needs more than k = " + k + " embeddings and a calibration"
                    + " distance, got " + reference.length + " and " + calibration.length);
        }
    }

    /** A reference over these embeddings: standardised, with each one's distance to its k nearest others as calibration. */
    public static NoveltyReference of(float[][] embeddings, int k) {
        boolean[] all = new boolean[embeddings.length];
        java.util.Arrays.fill(all, true);
        return of(embeddings, k, all);
    }

    /**
     * A reference over these embeddings, calibrated on those marked {@code calibrate} only (each one's distance to
     * its k nearest others of the whole reference): with the objects people called normal as the calibration, a
     * novelty of 0.99 means rarer than 99 % of normal objects, while artefacts in the reference still make their
     * look-alikes familiar.
     */
    public static NoveltyReference of(float[][] embeddings, int k, boolean[] calibrate) {
        int n = embeddings.length, d = embeddings[0].length;
        float[] centre = new float[d], scale = new float[d];
        for (float[] v : embeddings) for (int j = 0; j < d; j++) centre[j] += v[j] / n;
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (float[] v : embeddings) s += (v[j] - centre[j]) * (v[j] - centre[j]);
            double sd = Math.sqrt(s / Math.max(1, n - 1));
            scale[j] = sd > 1e-12 ? (float) sd : 1f;
        }
        float[][] ref = new float[n][];
        for (int i = 0; i < n; i++) ref[i] = standardise(embeddings[i], centre, scale);
        double[] calibration = IntStream.range(0, n).filter(i -> calibrate[i]).mapToDouble(i -> meanNearest(ref[i], ref, k, i)).sorted().toArray();
        return new NoveltyReference(centre, scale, ref, k, calibration);
    }

    /** Mean distance from the embedding to its k nearest reference embeddings. */
    public double distance(float[] embedding) {
        if (embedding.length != centre.length) {
            throw new IllegalArgumentException("this novelty reference compares vectors of " + centre.length + " values, got " + embedding.length);
        }
        for (float v : embedding) if (!Float.isFinite(v)) return Double.NaN;
        return meanNearest(standardise(embedding, centre, scale), reference, k, -1);
    }

    /** The share of the reference whose own distance is below this embedding's: 0 (typical) to 1 (beyond all of it). */
    public double novelty(float[] embedding) {
        double d = distance(embedding);
        if (Double.isNaN(d)) return Double.NaN;
        int below = Arrays.binarySearch(calibration, d);
        if (below < 0) below = -below - 1;
        return (double) below / calibration.length;
    }

    private static float[] standardise(float[] v, float[] centre, float[] scale) {
        float[] z = new float[v.length];
        for (int j = 0; j < v.length; j++) z[j] = (v[j] - centre[j]) / scale[j];
        return z;
    }

    /** Mean of the k smallest distances from z to the rows of ref, skipping row skip. */
    private static double meanNearest(float[] z, float[][] ref, int k, int skip) {
        double[] best = new double[k]; // ascending squared distances
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        for (int i = 0; i < ref.length; i++) {
            if (i == skip) continue;
            float[] r = ref[i];
            double s = 0;
            for (int j = 0; j < z.length && s < best[k - 1]; j++) {
                double diff = z[j] - r[j];
                s += diff * diff;
            }
            if (s >= best[k - 1]) continue;
            int at = k - 1;
            while (at > 0 && best[at - 1] > s) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = s;
        }
        double sum = 0;
        for (double b : best) sum += Math.sqrt(b);
        return sum / k;
    }
}
