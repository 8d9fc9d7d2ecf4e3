package org.astropt.stream.trainer.evaluation;

import org.ejml.data.DMatrixRMaj;

/**
 * Column z-scores fitted on some rows (a fold's training objects) and applied to any rows: every probe
 * sees standardised features, so one penalty means the same for every column.
 */
final class Standardiser {

    private final double[] mean;
    private final double[] scale;

    private Standardiser(double[] mean, double[] scale) {
        this.mean = mean;
        this.scale = scale;
    }

    double[] mean() { return mean.clone(); }

    double[] scale() { return scale.clone(); }

    /** Mean and (population) standard deviation per column over the given rows; a constant column gets scale 1. */
    static Standardiser fit(double[][] x, int[] rows) {
        int d = x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (int i : rows) for (int j = 0; j < d; j++) mean[j] += x[i][j];
        for (int j = 0; j < d; j++) mean[j] /= rows.length;
        for (int i : rows) for (int j = 0; j < d; j++) scale[j] += (x[i][j] - mean[j]) * (x[i][j] - mean[j]);
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(scale[j] / rows.length);
            scale[j] = sd > 1e-12 ? sd : 1;
        }
        return new Standardiser(mean, scale);
    }

    /** The given rows standardised, as an EJML matrix [rows][d], with a leading column of ones when intercept. */
    DMatrixRMaj apply(double[][] x, int[] rows, boolean intercept) {
        int d = mean.length;
        int offset = intercept ? 1 : 0;
        DMatrixRMaj z = new DMatrixRMaj(rows.length, d + offset);
        for (int r = 0; r < rows.length; r++) {
            double[] row = x[rows[r]];
            if (intercept) z.unsafe_set(r, 0, 1);
            for (int j = 0; j < d; j++) z.unsafe_set(r, j + offset, (row[j] - mean[j]) / scale[j]);
        }
        return z;
    }

    static int[] all(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = i;
        return rows;
    }
}
