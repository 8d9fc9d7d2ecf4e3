package org.astropt.stream.trainer.evaluation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * How much of a physical quantity an embedding carries linearly: ridge regression from standardised
 * features to the quantity, scored by cross-validated R^2. Each fold's ridge is fitted on the other
 * folds (EJML's SVD of the standardised training rows) with its penalty chosen there by generalised
 * cross-validation over a log grid, then predicts the fold; R^2 is 1 - SSE / SST of all out-of-fold
 * predictions together (scikit-learn's cross_val_predict then r2_score).
 *
 * <p>A feature that carries the quantity exactly gives R^2 near 1; features that carry none give R^2
 * near 0 (slightly below: the fit is out of sample).
 */
public final class RidgeProbe {

    /** Fewer objects with the quantity than this and no R^2: it would say more about noise than the model. */
    public static final int MIN_OBJECTS = 20;
    /** Penalties tried per fold, relative to the number of training rows: 1e-4 n to 1e3 n. */
    private static final double[] LAMBDA_PER_ROW = {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000};

    private RidgeProbe() {}

    /**
     * @param x    features [n][d]
     * @param y    the quantity per object; NaN where unknown (those objects are left out)
     * @param fold each object's fold ({@link CrossValidation#folds})
     * @return out-of-fold R^2, NaN when fewer than {@link #MIN_OBJECTS} objects have the quantity or it does not vary
     */
    public static double crossValidatedR2(double[][] x, double[] y, int[] fold) {
        int[] known = finite(y);
        if (known.length < MIN_OBJECTS) return Double.NaN;
        int folds = 0;
        for (int i : known) folds = Math.max(folds, fold[i] + 1);
        double[] predicted = new double[y.length];
        for (int f = 0; f < folds; f++) {
            int[] train = subset(known, fold, f, false);
            int[] test = subset(known, fold, f, true);
            if (test.length == 0) continue;
            if (train.length < 2) return Double.NaN;
            Fit fit = fit(x, y, train);
            for (int i : test) predicted[i] = fit.predict(x[i]);
        }
        double mean = 0;
        for (int i : known) mean += y[i];
        mean /= known.length;
        double sse = 0, sst = 0;
        for (int i : known) {
            sse += (y[i] - predicted[i]) * (y[i] - predicted[i]);
            sst += (y[i] - mean) * (y[i] - mean);
        }
        return sst == 0 ? Double.NaN : 1 - sse / sst;
    }

    /** A ridge fitted on rows: y = yMean + w . z(x). */
    record Fit(Standardiser standardiser, double yMean, double[] w, double lambda) {
        double predict(double[] x) {
            DMatrixRMaj z = standardiser.apply(new double[][] {x}, new int[] {0}, false);
            double p = yMean;
            for (int j = 0; j < w.length; j++) p += w[j] * z.unsafe_get(0, j);
            return p;
        }
    }

    /** The ridge on the given rows, its penalty the one of the grid with the smallest GCV score. */
    static Fit fit(double[][] x, double[] y, int[] rows) {
        Standardiser s = Standardiser.fit(x, rows);
        DMatrixRMaj z = s.apply(x, rows, false);                  // [n, d]
        int n = rows.length;
        double yMean = 0;
        for (int i : rows) yMean += y[i];
        yMean /= n;
        DMatrixRMaj yc = new DMatrixRMaj(n, 1);
        for (int r = 0; r < n; r++) yc.set(r, 0, y[rows[r]] - yMean);
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(z.numRows, z.numCols, true, true, true);
        if (!svd.decompose(z.copy())) throw new IllegalStateException("the SVD of " + n + " standardised rows did not converge");
        DMatrixRMaj u = svd.getU(null, false);                     // [n, r]
        DMatrixRMaj v = svd.getV(null, false);                     // [d, r]
        double[] sv = svd.getSingularValues();
        int rank = svd.numberOfSingularValues();
        DMatrixRMaj uty = new DMatrixRMaj(rank, 1);
        CommonOps_DDRM.multTransA(u, yc, uty);                     // U^T y, [r, 1]
        double yy = CommonOps_DDRM.dot(yc, yc);
        double best = Double.POSITIVE_INFINITY, bestLambda = LAMBDA_PER_ROW[0] * n;
        for (double perRow : LAMBDA_PER_ROW) {
            double lambda = perRow * n;
            // Fitted values U diag(s^2 / (s^2 + lambda)) U^T y; residual = y - fitted (y's part outside U's span is kept whole).
            double df = 0, fittedDot = 0, cross = 0;
            for (int k = 0; k < rank; k++) {
                double shrink = sv[k] * sv[k] / (sv[k] * sv[k] + lambda);
                double c = uty.get(k, 0);
                df += shrink;
                fittedDot += shrink * shrink * c * c;
                cross += shrink * c * c;
            }
            double rss = yy - 2 * cross + fittedDot;
            double gcv = rss / n / Math.pow(1 - df / n, 2);
            if (gcv < best) {
                best = gcv;
                bestLambda = lambda;
            }
        }
        double[] w = new double[z.numCols];                         // V diag(s / (s^2 + lambda)) U^T y
        for (int k = 0; k < rank; k++) {
            double c = sv[k] / (sv[k] * sv[k] + bestLambda) * uty.get(k, 0);
            for (int j = 0; j < w.length; j++) w[j] += v.get(j, k) * c;
        }
        return new Fit(s, yMean, w, bestLambda);
    }

    private static int[] finite(double[] y) {
        int count = 0;
        for (double v : y) if (Double.isFinite(v)) count++;
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < y.length; i++) if (Double.isFinite(y[i])) out[k++] = i;
        return out;
    }

    /** Of the given objects, those in (inFold) or out of fold f. */
    static int[] subset(int[] objects, int[] fold, int f, boolean inFold) {
        return java.util.Arrays.stream(objects).filter(i -> (fold[i] == f) == inFold).toArray();
    }
}
