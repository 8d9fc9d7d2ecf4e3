package org.astropt.stream.trainer;

/**
 * How much of a physical label an embedding carries linearly: ridge regression from embeddings to the
 * label, fitted on one half of the objects and scored (R^2) on the other half, then the other way round;
 * the mean of the two. Columns are standardised on the fitting half; the ridge (lambda = 1 per
 * standardised column) keeps the fit stable when there are about as many dimensions as objects.
 */
final class LinearProbe {

    /** Fewer labelled objects than this and no R^2 is reported: it would say more about noise than the model. */
    static final int MIN_OBJECTS = 20;
    private static final double LAMBDA = 1.0;

    private LinearProbe() {}

    /**
     * @param x embeddings [n][d]
     * @param y the label per object; NaN where unknown (those objects are left out)
     * @return R^2 on held-out halves, NaN when fewer than MIN_OBJECTS objects have the label
     */
    static double r2(float[][] x, double[] y) {
        int n = 0;
        for (double v : y) if (Double.isFinite(v)) n++;
        if (n < MIN_OBJECTS) return Double.NaN;
        float[][] xs = new float[n][];
        double[] ys = new double[n];
        int k = 0;
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(y[i])) {
                xs[k] = x[i];
                ys[k++] = y[i];
            }
        }
        return (score(xs, ys, 0) + score(xs, ys, 1)) / 2;
    }

    /** Fits on the objects of index parity 'fit', scores on the others. */
    private static double score(float[][] x, double[] y, int fit) {
        int d = x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        double yMean = 0;
        int nFit = 0;
        for (int i = fit; i < x.length; i += 2, nFit++) {
            for (int j = 0; j < d; j++) mean[j] += x[i][j];
            yMean += y[i];
        }
        for (int j = 0; j < d; j++) mean[j] /= nFit;
        yMean /= nFit;
        for (int i = fit; i < x.length; i += 2) for (int j = 0; j < d; j++) scale[j] += sq(x[i][j] - mean[j]);
        for (int j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j] / nFit) + 1e-12;
        // Normal equations (Z^T Z + lambda I) w = Z^T (y - mean y) on the standardised fitting half.
        double[][] a = new double[d][d + 1];
        for (int i = fit; i < x.length; i += 2) {
            double[] z = standardise(x[i], mean, scale);
            for (int r = 0; r < d; r++) {
                for (int c = 0; c < d; c++) a[r][c] += z[r] * z[c];
                a[r][d] += z[r] * (y[i] - yMean);
            }
        }
        for (int r = 0; r < d; r++) a[r][r] += LAMBDA;
        double[] w = solve(a);
        double sse = 0, sst = 0, testMean = 0;
        int nTest = 0;
        for (int i = 1 - fit; i < x.length; i += 2, nTest++) testMean += y[i];
        testMean /= nTest;
        for (int i = 1 - fit; i < x.length; i += 2) {
            double[] z = standardise(x[i], mean, scale);
            double p = yMean;
            for (int j = 0; j < d; j++) p += w[j] * z[j];
            sse += sq(y[i] - p);
            sst += sq(y[i] - testMean);
        }
        return sst == 0 ? Double.NaN : 1 - sse / sst;
    }

    private static double[] standardise(float[] x, double[] mean, double[] scale) {
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) z[j] = (x[j] - mean[j]) / scale[j];
        return z;
    }

    /** Gaussian elimination with partial pivoting on the augmented matrix [A | b]; A is positive definite here. */
    private static double[] solve(double[][] a) {
        int d = a.length;
        for (int col = 0; col < d; col++) {
            int pivot = col;
            for (int r = col + 1; r < d; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            for (int r = col + 1; r < d; r++) {
                double f = a[r][col] / a[col][col];
                if (f == 0) continue;
                for (int c = col; c <= d; c++) a[r][c] -= f * a[col][c];
            }
        }
        double[] w = new double[d];
        for (int r = d - 1; r >= 0; r--) {
            double s = a[r][d];
            for (int c = r + 1; c < d; c++) s -= a[r][c] * w[c];
            w[r] = s / a[r][r];
        }
        return w;
    }

    private static double sq(double v) { return v * v; }
}
