package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    @Test
    void aLabelThatIsLinearInTheEmbeddingScoresNearOneAndNoiseNearZeroOrBelow() {
        Random random = new Random(3);
        int n = 200, d = 16;
        float[][] x = new float[n][d];
        double[] linear = new double[n];
        double[] noise = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) x[i][j] = (float) random.nextGaussian();
            linear[i] = 2 * x[i][0] - x[i][3] + 0.05 * random.nextGaussian();
            noise[i] = random.nextGaussian();
        }
        double good = LinearProbe.r2(x, linear);
        double none = LinearProbe.r2(x, noise);
        assertTrue(good > 0.95, "linear label: R^2 " + good);
        assertTrue(none < 0.1, "noise: R^2 " + none);
    }

    @Test
    void tooFewLabelledObjectsGiveNoScore() {
        float[][] x = new float[30][4];
        double[] y = new double[30];
        java.util.Arrays.fill(y, Double.NaN);
        for (int i = 0; i < LinearProbe.MIN_OBJECTS - 1; i++) y[i] = i;
        assertTrue(Double.isNaN(LinearProbe.r2(x, y)));
    }
}
