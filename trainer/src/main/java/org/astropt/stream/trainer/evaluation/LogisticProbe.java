package org.astropt.stream.trainer.evaluation;

import org.astropt.stream.core.heads.LogisticHead;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Which class an object belongs to, read linearly from standardised features: multinomial logistic
 * regression (softmax, the last class the reference) with an L2 penalty of 1 on the weights and none on
 * the intercepts (scikit-learn's default C = 1), fitted by Newton's method: each step solves the penalised
 * Hessian system with EJML's Cholesky solver, halving the step until the penalised likelihood rises.
 * Cross-validated: every object's class probabilities come from the model fitted on the other folds.
 */
public final class LogisticProbe {

    /** Penalty on the squared weights of standardised features (intercepts free). */
    static final double LAMBDA = 1.0;
    private static final int MAX_NEWTON_STEPS = 30;
    private static final double TOLERANCE = 1e-7;

    private final Standardiser standardiser;
    private final int classes;
    private final double[][] beta; // [classes - 1][1 + d]: intercept, then weights

    private LogisticProbe(Standardiser standardiser, int classes, double[][] beta) {
        this.standardiser = standardiser;
        this.classes = classes;
        this.beta = beta;
    }

    /**
     * Out-of-fold class probabilities [n][classes]: row i from the probe fitted without i's fold. Objects
     * with label -1 are left out of every fit and get NaN probabilities.
     *
     * @param x      features [n][d]
     * @param label  each object's class 0..classes-1, or -1 when unknown
     * @param fold   each object's fold ({@link CrossValidation#folds})
     */
    public static double[][] crossValidated(double[][] x, int[] label, int classes, int[] fold) {
        int n = x.length;
        double[][] p = new double[n][];
        int folds = 0;
        for (int i = 0; i < n; i++) if (label[i] >= 0) folds = Math.max(folds, fold[i] + 1);
        int[] known = java.util.stream.IntStream.range(0, n).filter(i -> label[i] >= 0).toArray();
        for (int f = 0; f < folds; f++) {
            int[] test = RidgeProbe.subset(known, fold, f, true);
            if (test.length == 0) continue;
            LogisticProbe probe = fit(x, label, classes, RidgeProbe.subset(known, fold, f, false));
            double[][] q = probe.probabilities(x, test);
            for (int r = 0; r < test.length; r++) p[test[r]] = q[r];
        }
        for (int i = 0; i < n; i++) if (p[i] == null) p[i] = nan(classes);
        return p;
    }

    /** The probe fitted on the given rows. */
    static LogisticProbe fit(double[][] x, int[] label, int classes, int[] rows) {
        if (classes < 2) throw new IllegalArgumentException("a logistic probe needs at least 2 classes, got " + classes);
        Standardiser s = Standardiser.fit(x, rows);
        DMatrixRMaj z = s.apply(x, rows, true);            // [n, 1 + d]
        int n = z.numRows, p = z.numCols, m = classes - 1, size = m * p;
        int[] y = new int[n];
        for (int r = 0; r < n; r++) y[r] = label[rows[r]];
        double[][] beta = new double[m][p];
        double objective = objective(z, y, beta, classes);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(size);
        for (int step = 0; step < MAX_NEWTON_STEPS; step++) {
            double[][] prob = softmax(z, beta, classes);   // [n][classes]
            // Gradient of the penalised log-likelihood and the negative Hessian, block (a, b) = Z^T diag(w_ab) Z + lambda I.
            DMatrixRMaj gradient = new DMatrixRMaj(size, 1);
            DMatrixRMaj hessian = new DMatrixRMaj(size, size);
            DMatrixRMaj weighted = new DMatrixRMaj(n, p);
            DMatrixRMaj block = new DMatrixRMaj(p, p);
            for (int a = 0; a < m; a++) {
                for (int r = 0; r < n; r++) {
                    double residual = (y[r] == a ? 1 : 0) - prob[r][a];
                    for (int j = 0; j < p; j++) gradient.add(a * p + j, 0, residual * z.unsafe_get(r, j));
                }
                for (int j = 1; j < p; j++) gradient.add(a * p + j, 0, -LAMBDA * beta[a][j]);
                for (int b = a; b < m; b++) {
                    for (int r = 0; r < n; r++) {
                        double w = prob[r][a] * ((a == b ? 1 : 0) - prob[r][b]);
                        for (int j = 0; j < p; j++) weighted.unsafe_set(r, j, w * z.unsafe_get(r, j));
                    }
                    CommonOps_DDRM.multTransA(z, weighted, block);
                    if (a == b) for (int j = 1; j < p; j++) block.add(j, j, LAMBDA);
                    if (a == b) block.add(0, 0, 1e-9); // a fold of one class keeps the system definite
                    CommonOps_DDRM.insert(block, hessian, a * p, b * p);
                    if (b != a) CommonOps_DDRM.insert(CommonOps_DDRM.transpose(block, null), hessian, b * p, a * p);
                }
            }
            DMatrixRMaj delta = new DMatrixRMaj(size, 1);
            if (!solver.setA(hessian)) break; // not positive definite: numerically converged or degenerate
            solver.solve(gradient, delta);
            double scale = 1;
            double[][] next = null;
            double nextObjective = Double.NEGATIVE_INFINITY;
            for (int halving = 0; halving < 20; halving++, scale /= 2) {
                next = new double[m][p];
                for (int a = 0; a < m; a++) for (int j = 0; j < p; j++) next[a][j] = beta[a][j] + scale * delta.get(a * p + j, 0);
                nextObjective = objective(z, y, next, classes);
                if (nextObjective >= objective) break;
            }
            if (!(nextObjective >= objective)) break;
            double change = nextObjective - objective;
            beta = next;
            objective = nextObjective;
            if (change < TOLERANCE * (1 + Math.abs(objective))) break;
        }
        return new LogisticProbe(s, classes, beta);
    }

    /**
     * A two-class probe fitted on the given rows (label 1 the positives) as a {@link LogisticHead}: the probability
     * of label 1 as one logistic regression on the features, standardised as the probe standardised them.
     */
    public static LogisticHead head(String name, double[][] x, int[] label, int[] rows, double threshold) {
        LogisticProbe probe = fit(x, label, 2, rows);
        double[] b = probe.beta[0]; // the logit of class 0 against class 1, the reference: negate for class 1
        double[] w = new double[b.length - 1];
        for (int j = 0; j < w.length; j++) w[j] = -b[j + 1];
        return new LogisticHead(name, probe.standardiser.mean(), probe.standardiser.scale(), w, -b[0], threshold);
    }

    /** Class probabilities [rows][classes] of the given rows of x. */
    double[][] probabilities(double[][] x, int[] rows) {
        return softmax(standardiser.apply(x, rows, true), beta, classes);
    }

    /** Penalised log-likelihood of labels y under beta. */
    private static double objective(DMatrixRMaj z, int[] y, double[][] beta, int classes) {
        double[][] logits = logits(z, beta, classes);
        double sum = 0;
        for (int r = 0; r < z.numRows; r++) sum += logits[r][y[r]] - logSumExp(logits[r]);
        for (double[] b : beta) for (int j = 1; j < b.length; j++) sum -= LAMBDA / 2 * b[j] * b[j];
        return sum;
    }

    private static double[][] logits(DMatrixRMaj z, double[][] beta, int classes) {
        DMatrixRMaj b = new DMatrixRMaj(z.numCols, classes); // last column stays 0: the reference class
        for (int a = 0; a < beta.length; a++) for (int j = 0; j < z.numCols; j++) b.set(j, a, beta[a][j]);
        DMatrixRMaj out = new DMatrixRMaj(z.numRows, classes);
        CommonOps_DDRM.mult(z, b, out);
        double[][] logits = new double[z.numRows][classes];
        for (int r = 0; r < z.numRows; r++) for (int c = 0; c < classes; c++) logits[r][c] = out.unsafe_get(r, c);
        return logits;
    }

    private static double[][] softmax(DMatrixRMaj z, double[][] beta, int classes) {
        double[][] l = logits(z, beta, classes);
        for (double[] row : l) {
            double lse = logSumExp(row);
            for (int c = 0; c < row.length; c++) row[c] = Math.exp(row[c] - lse);
        }
        return l;
    }

    private static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) max = Math.max(max, x);
        double s = 0;
        for (double x : v) s += Math.exp(x - max);
        return max + Math.log(s);
    }

    private static double[] nan(int k) {
        double[] v = new double[k];
        java.util.Arrays.fill(v, Double.NaN);
        return v;
    }

    /** Share of known objects whose most probable class is their class. */
    public static double accuracy(double[][] probabilities, int[] label) {
        int right = 0, known = 0;
        for (int i = 0; i < label.length; i++) {
            if (label[i] < 0 || Double.isNaN(probabilities[i][0])) continue;
            known++;
            int best = 0;
            for (int c = 1; c < probabilities[i].length; c++) if (probabilities[i][c] > probabilities[i][best]) best = c;
            if (best == label[i]) right++;
        }
        return known == 0 ? Double.NaN : (double) right / known;
    }
}
