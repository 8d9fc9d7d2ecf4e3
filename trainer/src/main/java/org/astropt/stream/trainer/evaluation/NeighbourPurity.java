package org.astropt.stream.trainer.evaluation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * kNN purity@k: for each object, the share of its k nearest other objects (cosine similarity of
 * standardised features, the comparison /similar makes) that share its class; the mean over objects.
 * The similarities come from EJML matrix products, a block of rows at a time so memory stays at
 * block x n. By chance alone the purity is the sum of squared class shares.
 */
public final class NeighbourPurity {

    private static final int BLOCK = 256;

    private NeighbourPurity() {}

    /**
     * @param x     features [n][d]
     * @param label class per object, -1 when unknown (left out as query and as neighbour)
     * @return mean purity over known objects, NaN with k or fewer of them
     */
    public static double purity(double[][] x, int[] label, int k) {
        int[] known = java.util.stream.IntStream.range(0, x.length).filter(i -> label[i] >= 0).toArray();
        int n = known.length;
        if (n <= k) return Double.NaN;
        DMatrixRMaj z = Standardiser.fit(x, known).apply(x, known, false); // [n, d]
        for (int r = 0; r < n; r++) {
            double norm = 0;
            for (int j = 0; j < z.numCols; j++) norm += z.unsafe_get(r, j) * z.unsafe_get(r, j);
            norm = Math.sqrt(norm);
            if (norm > 0) for (int j = 0; j < z.numCols; j++) z.unsafe_set(r, j, z.unsafe_get(r, j) / norm);
        }
        double sum = 0;
        for (int from = 0; from < n; from += BLOCK) {
            int to = Math.min(n, from + BLOCK);
            DMatrixRMaj rows = CommonOps_DDRM.extract(z, from, to, 0, z.numCols);
            DMatrixRMaj similarity = new DMatrixRMaj(to - from, n);
            CommonOps_DDRM.multTransB(rows, z, similarity); // [block, n] cosines
            for (int r = from; r < to; r++) {
                int[] nearest = topK(similarity, r - from, r, k);
                int same = 0;
                for (int j : nearest) if (label[known[j]] == label[known[r]]) same++;
                sum += (double) same / k;
            }
        }
        return sum / n;
    }

    /** Columns of the k largest entries of a row, skipping column self. */
    private static int[] topK(DMatrixRMaj m, int row, int self, int k) {
        int[] best = new int[k];
        double[] value = new double[k];
        java.util.Arrays.fill(value, Double.NEGATIVE_INFINITY);
        for (int c = 0; c < m.numCols; c++) {
            if (c == self) continue;
            double v = m.unsafe_get(row, c);
            if (v <= value[k - 1]) continue;
            int at = k - 1;
            while (at > 0 && value[at - 1] < v) {
                value[at] = value[at - 1];
                best[at] = best[at - 1];
                at--;
            }
            value[at] = v;
            best[at] = c;
        }
        return best;
    }

    /** What random neighbours would give: the sum over classes of the squared class share. */
    public static double chance(int[] label) {
        java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
        int n = 0;
        for (int l : label) if (l >= 0) { counts.merge(l, 1, Integer::sum); n++; }
        double s = 0;
        for (int c : counts.values()) s += (double) c / n * c / n;
        return n == 0 ? Double.NaN : s;
    }
}
