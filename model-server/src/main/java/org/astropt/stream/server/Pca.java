package org.astropt.stream.server;

import java.util.List;
import java.util.Random;

/**
 * The two leading principal components of a set of vectors, by block power iteration on the centred
 * data (never forming the d x d covariance: at d = 768 that alone would be 0.6M entries per point).
 * Each iteration costs two passes over the data, [n, d] x [d, 2] and back.
 *
 * @param mean      [d] the mean vector
 * @param axes      [2][d] unit principal axes, the first explaining the most variance; each axis's sign is
 *                  fixed (its largest component positive) so the map does not flip between recomputations
 * @param variance  [2] variance along each axis
 * @param total     total variance (trace of the covariance), for the explained fraction
 */
public record Pca(float[] mean, float[][] axes, double[] variance, double total) {

    /** Enough for two well-separated components; the dashboard map needs no more precision than a pixel. */
    static final int ITERATIONS = 60;

    public static Pca of(List<float[]> data) {
        int n = data.size();
        if (n == 0) throw new IllegalArgumentException("PCA of no vectors");
        int d = data.get(0).length;
        float[] mean = new float[d];
        for (float[] v : data) for (int i = 0; i < d; i++) mean[i] += v[i] / n;
        double total = 0;
        for (float[] v : data) for (int i = 0; i < d; i++) total += (double) (v[i] - mean[i]) * (v[i] - mean[i]) / n;

        Random random = new Random(42);
        double[][] q = new double[2][d];
        for (double[] axis : q) for (int i = 0; i < d; i++) axis[i] = random.nextGaussian();
        orthonormalise(q);
        double[] variance = new double[2];
        for (int it = 0; it < ITERATIONS; it++) {
            double[][] next = new double[2][d];
            for (float[] v : data) {
                // project once: [2] coefficients of the centred point, then accumulate C q = X^T (X q) / n
                double c0 = 0, c1 = 0;
                for (int i = 0; i < d; i++) {
                    double x = v[i] - mean[i];
                    c0 += x * q[0][i];
                    c1 += x * q[1][i];
                }
                for (int i = 0; i < d; i++) {
                    double x = v[i] - mean[i];
                    next[0][i] += x * c0 / n;
                    next[1][i] += x * c1 / n;
                }
            }
            for (int a = 0; a < 2; a++) variance[a] = dot(next[a], q[a]);
            q = next;
            if (!orthonormalise(q)) break; // all points equal (or fewer directions than two): keep what we have
        }
        float[][] axes = new float[2][d];
        for (int a = 0; a < 2; a++) {
            int largest = 0;
            for (int i = 1; i < d; i++) if (Math.abs(q[a][i]) > Math.abs(q[a][largest])) largest = i;
            double sign = q[a][largest] < 0 ? -1 : 1;
            for (int i = 0; i < d; i++) axes[a][i] = (float) (sign * q[a][i]);
        }
        return new Pca(mean, axes, variance, total);
    }

    /** [2] coordinates of v on the two axes. */
    public float[] project(float[] v) {
        float x = 0, y = 0;
        for (int i = 0; i < mean.length; i++) {
            float c = v[i] - mean[i];
            x += c * axes[0][i];
            y += c * axes[1][i];
        }
        return new float[] {x, y};
    }

    /** Share of the total variance along each axis. */
    public double explained(int axis) {
        return total > 0 ? variance[axis] / total : 0;
    }

    /** Gram-Schmidt on the two vectors; false when one has no length left. */
    private static boolean orthonormalise(double[][] q) {
        double n0 = Math.sqrt(dot(q[0], q[0]));
        if (n0 == 0 || !Double.isFinite(n0)) return false;
        for (int i = 0; i < q[0].length; i++) q[0][i] /= n0;
        double p = dot(q[0], q[1]);
        for (int i = 0; i < q[1].length; i++) q[1][i] -= p * q[0][i];
        double n1 = Math.sqrt(dot(q[1], q[1]));
        if (n1 < 1e-12 || !Double.isFinite(n1)) return false;
        for (int i = 0; i < q[1].length; i++) q[1][i] /= n1;
        return true;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
