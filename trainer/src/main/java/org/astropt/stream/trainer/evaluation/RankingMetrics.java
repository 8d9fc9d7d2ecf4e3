package org.astropt.stream.trainer.evaluation;

import java.util.Arrays;
import java.util.Comparator;

/**
 * How well a score ranks positives (cutouts with an artefact) above negatives: ROC AUC and the
 * precision a threshold reaches at a given recall. Metrics read off the sorted scores, not fits.
 * Objects with a NaN score are left out.
 */
public final class RankingMetrics {

    private RankingMetrics() {}

    /**
     * ROC AUC: the chance that a random positive scores above a random negative, ties counting half
     * (the Mann-Whitney U statistic over n_pos * n_neg); NaN without a positive or a negative.
     */
    public static double rocAuc(double[] score, boolean[] positive) {
        Integer[] order = sorted(score, false);
        int n = order.length;
        long pos = 0, neg = 0;
        double rankSum = 0;
        for (int start = 0; start < n; ) {
            int end = start;
            while (end + 1 < n && score[order[end + 1]] == score[order[start]]) end++;
            double averageRank = (start + end) / 2.0 + 1; // 1-based ranks, ties share their mean
            for (int r = start; r <= end; r++) {
                if (positive[order[r]]) {
                    rankSum += averageRank;
                    pos++;
                } else {
                    neg++;
                }
            }
            start = end + 1;
        }
        if (pos == 0 || neg == 0) return Double.NaN;
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /**
     * Precision of the highest threshold whose recall reaches {@code recall}: flag every object scoring at or
     * above it (ties flagged together) and count the share of flags that are positives. NaN without positives.
     */
    public static double precisionAtRecall(double[] score, boolean[] positive, double recall) {
        for (Cut c : cuts(score, positive)) {
            if (c.truePositives() >= recall * c.positives()) return c.precision();
        }
        return Double.NaN;
    }

    /**
     * One threshold of the scores and what flagging at or above it gives: every distinct finite score, highest
     * first, ties flagged together.
     */
    private record Cut(double threshold, long flagged, long truePositives, long positives) {
        double precision() { return (double) truePositives / flagged; }

        double recall() { return (double) truePositives / positives; }
    }

    /** Every cut of the scores, highest threshold first; none without a positive. */
    private static java.util.List<Cut> cuts(double[] score, boolean[] positive) {
        Integer[] order = sorted(score, true);
        long total = Arrays.stream(order).filter(i -> positive[i]).count();
        java.util.List<Cut> cuts = new java.util.ArrayList<>();
        if (total == 0) return cuts;
        long tp = 0, flagged = 0;
        for (int start = 0; start < order.length; ) {
            int end = start;
            while (end + 1 < order.length && score[order[end + 1]] == score[order[start]]) end++;
            for (int r = start; r <= end; r++) {
                flagged++;
                if (positive[order[r]]) tp++;
            }
            cuts.add(new Cut(score[order[start]], flagged, tp, total));
            start = end + 1;
        }
        return cuts;
    }

    /** Indices of finite scores, ascending (or descending). */
    private static Integer[] sorted(double[] score, boolean descending) {
        Comparator<Integer> by = Comparator.comparingDouble(i -> score[i]);
        return java.util.stream.IntStream.range(0, score.length).filter(i -> !Double.isNaN(score[i])).boxed()
                .sorted(descending ? by.reversed() : by).toArray(Integer[]::new);
    }

    /** A flag threshold and what it reaches on the scores it was chosen on. */
    public record Threshold(double value, double precision, double recall) {}

    /**
     * The lowest threshold (the one flagging most) at which the flagged objects (score at or above it, ties
     * together) are confidently at least {@code precision} positives: the lower end of the 90 % Wilson score
     * interval of their share (a one-sided 95 % bound) reaches it, so a threshold chosen on a few hundred
     * objects keeps its precision on new ones. NaN value when no threshold reaches it.
     */
    public static Threshold thresholdForPrecision(double[] score, boolean[] positive, double precision) {
        var wilson = new org.apache.commons.math3.stat.interval.WilsonScoreInterval();
        Threshold best = new Threshold(Double.NaN, Double.NaN, 0);
        for (Cut c : cuts(score, positive)) {
            if (wilson.createInterval((int) c.flagged(), (int) c.truePositives(), 0.9).getLowerBound() >= precision) {
                best = new Threshold(c.threshold(), c.precision(), c.recall());
            }
        }
        return best;
    }
}
