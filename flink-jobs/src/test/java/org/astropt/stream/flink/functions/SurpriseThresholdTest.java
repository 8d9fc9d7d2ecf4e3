package org.astropt.stream.flink.functions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The flag threshold: a quantile over the recent scores of one model version. */
class SurpriseThresholdTest {

    @Test
    void noThresholdUntilMinScoresAreKnown() {
        SurpriseThreshold t = new SurpriseThreshold(0.5, 100, 10);
        for (int i = 0; i < 10; i++) assertTrue(Double.isNaN(t.observe(i)), "score " + i);
        assertEquals(5.0, t.observe(99), "0..9: five scores lie below 5; the 11th score is not in yet");
    }

    @Test
    void thresholdIsTheQuantileOfTheScoresSeen() {
        List<Float> scores = new ArrayList<>();
        for (int i = 1; i <= 100; i++) scores.add((float) i);
        Collections.shuffle(scores, new Random(5));
        SurpriseThreshold t = new SurpriseThreshold(0.9, 100, 10);
        scores.forEach(t::observe);
        // 90 of the scores 1..100 lie below 91
        assertEquals(91.0, t.threshold());
    }

    @Test
    void onlyTheLastWindowScoresCount() {
        SurpriseThreshold t = new SurpriseThreshold(0.99, 50, 10);
        for (int i = 0; i < 1000; i++) t.observe(100f);
        for (int i = 0; i < 50; i++) t.observe(1f);
        assertEquals(1.0, t.threshold(), "the 1000 old scores of 100 have left the window");
        assertEquals(50, t.scores().length);
    }

    @Test
    void nonFiniteScoresAreNotCounted() {
        SurpriseThreshold t = new SurpriseThreshold(0.5, 20, 3);
        t.observe(Float.NaN);
        t.observe(Float.POSITIVE_INFINITY);
        t.observe(2f);
        t.observe(4f);
        assertTrue(Double.isNaN(t.threshold()), "two finite scores, three needed");
        assertArrayEquals(new float[] {2f, 4f}, t.scores());
    }

    @Test
    void scoresComeBackOldestFirstAndRestoreGivesTheSameThreshold() {
        SurpriseThreshold t = new SurpriseThreshold(0.75, 8, 4);
        for (int i = 0; i < 13; i++) t.observe(i); // wraps: keeps 5..12
        assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12}, t.scores());
        SurpriseThreshold restored = new SurpriseThreshold(0.75, 8, 4);
        restored.restore(t.scores());
        assertEquals(t.threshold(), restored.threshold());
        assertEquals(11.0, restored.threshold(), "6 of 5..12 lie below 11");
        assertEquals(t.observe(100f), restored.observe(100f));
        assertArrayEquals(t.scores(), restored.scores());
    }

    @Test
    void matchesTheQuantileOfASortedCopyOfTheWindowAtEveryStep() {
        Random random = new Random(11);
        SurpriseThreshold t = new SurpriseThreshold(0.9, 37, 5);
        java.util.ArrayDeque<Float> window = new java.util.ArrayDeque<>();
        for (int i = 0; i < 2000; i++) {
            // repeated values (rounded), zeros of both signs and the odd non-finite score
            float score = switch (random.nextInt(20)) {
                case 0 -> Float.NaN;
                case 1 -> -0.0f;
                case 2 -> 0.0f;
                default -> Math.round(random.nextGaussian() * 4) / 2f;
            };
            double expected = Double.NaN;
            if (window.size() >= 5) {
                float[] sorted = new float[window.size()];
                int k = 0;
                for (float f : window) sorted[k++] = f;
                java.util.Arrays.sort(sorted);
                expected = sorted[(int) Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))];
            }
            assertEquals(expected, t.observe(score), "step " + i);
            if (Float.isFinite(score)) {
                window.addLast(score);
                if (window.size() > 37) window.removeFirst();
            }
        }
    }
}
