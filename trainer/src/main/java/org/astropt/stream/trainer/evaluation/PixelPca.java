package org.astropt.stream.trainer.evaluation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The baseline an embedding must beat: the first k principal components of the cutouts' flattened
 * normalised tokens (what the model reads), with k the embedding's width. The components come from
 * EJML's symmetric eigen-decomposition of the n x n Gram matrix of the centred rows (cheaper than the
 * p x p covariance when a cutout has more values than there are cutouts); a row's score on component
 * i is sqrt(eigenvalue_i) times its entry in eigenvector i. Fitted on the evaluated cutouts themselves,
 * without labels.
 */
public final class PixelPca {

    private PixelPca() {}

    /** Principal-component scores [n][min(k, n)] of rows [n][p], largest variance first. */
    public static double[][] scores(double[][] rows, int k) {
        int n = rows.length, p = rows[0].length;
        DMatrixRMaj x = new DMatrixRMaj(n, p);
        double[] mean = new double[p];
        for (double[] r : rows) for (int j = 0; j < p; j++) mean[j] += r[j];
        for (int j = 0; j < p; j++) mean[j] /= n;
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) x.unsafe_set(i, j, rows[i][j] - mean[j]);
        DMatrixRMaj gram = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(x, x, gram); // [n, n]
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(gram)) throw new IllegalStateException("the eigen-decomposition of " + n + " cutouts' Gram matrix did not converge");
        Integer[] order = java.util.stream.IntStream.range(0, n).boxed()
                .sorted((a, b) -> Double.compare(eig.getEigenvalue(b).real, eig.getEigenvalue(a).real)).toArray(Integer[]::new);
        int keep = Math.min(k, n);
        double[][] scores = new double[n][keep];
        for (int c = 0; c < keep; c++) {
            double lambda = Math.max(0, eig.getEigenvalue(order[c]).real);
            DMatrixRMaj v = eig.getEigenVector(order[c]);
            double s = Math.sqrt(lambda);
            for (int i = 0; i < n; i++) scores[i][c] = v == null ? 0 : s * v.get(i, 0);
        }
        return scores;
    }
}
