package org.astropt.stream.trainer.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The probes and metrics on small synthetic matrices whose answers are known. */
class ProbesTest {

    private static final int N = 300, D = 16;

    private static double[][] gaussian(long seed, int n, int d) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        for (double[] row : x) for (int j = 0; j < d; j++) row[j] = gaussian(r);
        return x;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Test
    void ridgeProbeFindsALinearSignalAndNotNoise() {
        double[][] x = gaussian(1, N, D);
        SplittableRandom r = new SplittableRandom(2);
        double[] signal = new double[N], noise = new double[N];
        for (int i = 0; i < N; i++) {
            signal[i] = 3 * x[i][0] - 2 * x[i][5] + 0.05 * gaussian(r) + 10;
            noise[i] = gaussian(r);
        }
        int[] fold = CrossValidation.folds(N, 5, 7);
        double r2Signal = RidgeProbe.crossValidatedR2(x, signal, fold);
        double r2Noise = RidgeProbe.crossValidatedR2(x, noise, fold);
        assertTrue(r2Signal > 0.99, "linear signal R^2 " + r2Signal);
        assertTrue(r2Noise < 0.05 && r2Noise > -0.2, "noise R^2 " + r2Noise);
        signal[3] = Double.NaN; // unknown labels are left out, not counted as zeros
        assertTrue(RidgeProbe.crossValidatedR2(x, signal, fold) > 0.99);
    }

    @Test
    void logisticProbeSeparatesLinearlySeparableClassesAndGuessesOnNoise() {
        double[][] x = gaussian(3, N, D);
        int[] byFeature = new int[N], random = new int[N];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < N; i++) {
            byFeature[i] = i % 3;
            x[i][2] += 4 * (byFeature[i] - 1); // three classes 4 sigma apart along one direction
            random[i] = r.nextInt(3);
        }
        int[] fold = CrossValidation.folds(N, 5, 7);
        double separable = LogisticProbe.accuracy(LogisticProbe.crossValidated(x, byFeature, 3, fold), byFeature);
        double guessing = LogisticProbe.accuracy(LogisticProbe.crossValidated(x, random, 3, fold), random);
        assertTrue(separable > 0.9, "separable accuracy " + separable);
        assertTrue(guessing < 0.45, "accuracy on random classes " + guessing);
    }

    @Test
    void rankingMetricsOfKnownRankings() {
        double[] score = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
        boolean[] perfect = {true, true, true, false, false, false};
        boolean[] reversed = {false, false, false, true, true, true};
        assertEquals(1.0, RankingMetrics.rocAuc(score, perfect), 1e-12);
        assertEquals(0.0, RankingMetrics.rocAuc(score, reversed), 1e-12);
        assertEquals(0.5, RankingMetrics.rocAuc(new double[] {1, 1, 1, 1}, new boolean[] {true, false, true, false}), 1e-12);
        assertEquals(1.0, RankingMetrics.precisionAtRecall(score, perfect, 0.8), 1e-12);
        // Positives at ranks 1, 3, 5 of 6: recall 0.8 needs all three, flagged 5 -> precision 3/5.
        assertEquals(0.6, RankingMetrics.precisionAtRecall(score, new boolean[] {true, false, true, false, true, false}, 0.8), 1e-12);
        // One positive above two negatives and one below both: 2 of 4 pairs.
        assertEquals(0.5, RankingMetrics.rocAuc(new double[] {4, 3, 2, 1}, new boolean[] {true, false, false, true}), 1e-12);
    }

    @Test
    void neighbourPurityOfClusteredAndShuffledClasses() {
        SplittableRandom r = new SplittableRandom(5);
        double[][] x = new double[N][4]; // three columns carry the class, one is noise
        int[] label = new int[N];
        for (int i = 0; i < N; i++) {
            label[i] = i % 3;
            for (int j = 0; j < 4; j++) x[i][j] = 0.3 * gaussian(r) + (j == label[i] ? 3 : 0);
        }
        assertTrue(NeighbourPurity.purity(x, label, 10) > 0.95);
        int[] shuffled = new int[N];
        for (int i = 0; i < N; i++) shuffled[i] = r.nextInt(3);
        double chance = NeighbourPurity.purity(x, shuffled, 10);
        assertEquals(NeighbourPurity.chance(shuffled), chance, 0.06);
    }

    @Test
    void pixelPcaRecoversTheDirectionsOfLargestVariance() {
        SplittableRandom r = new SplittableRandom(6);
        int p = 400; // more values per row than rows: the Gram route
        double[][] rows = new double[100][p];
        double[] a = new double[100];
        for (int i = 0; i < 100; i++) {
            a[i] = gaussian(r);
            for (int j = 0; j < p; j++) rows[i][j] = 0.01 * gaussian(r) + a[i] * (j < 200 ? 1 : -1);
        }
        double[][] scores = PixelPca.scores(rows, 3);
        assertEquals(3, scores[0].length);
        double[] first = new double[100];
        for (int i = 0; i < 100; i++) first[i] = scores[i][0];
        assertTrue(Math.abs(correlation(first, a)) > 0.999, "first component follows the planted factor");
    }

    private static double correlation(double[] a, double[] b) {
        double ma = java.util.Arrays.stream(a).average().orElseThrow(), mb = java.util.Arrays.stream(b).average().orElseThrow();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
