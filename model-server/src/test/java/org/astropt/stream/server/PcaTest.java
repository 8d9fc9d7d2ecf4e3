package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PcaTest {

    /** Points spread 5 along one known direction and 2 along another, with small noise elsewhere. */
    @Test
    void findsTheTwoDirectionsOfLargestSpread() {
        Random r = new Random(3);
        int d = 32;
        float[] u = new float[d], w = new float[d];
        for (int i = 0; i < d; i++) {
            u[i] = (float) r.nextGaussian();
            w[i] = (float) r.nextGaussian();
        }
        normalise(u);
        float p = dot(u, w);
        for (int i = 0; i < d; i++) w[i] -= p * u[i];
        normalise(w);
        List<float[]> data = new ArrayList<>();
        for (int n = 0; n < 2000; n++) {
            float a = (float) (5 * r.nextGaussian()), b = (float) (2 * r.nextGaussian());
            float[] v = new float[d];
            for (int i = 0; i < d; i++) v[i] = 3 + a * u[i] + b * w[i] + (float) (0.05 * r.nextGaussian());
            data.add(v);
        }
        Pca pca = Pca.of(data);
        assertEquals(1, Math.abs(dot(pca.axes()[0], u)), 1e-3);
        assertEquals(1, Math.abs(dot(pca.axes()[1], w)), 1e-3);
        assertEquals(25, pca.variance()[0], 2.5);
        assertEquals(4, pca.variance()[1], 0.4);
        assertTrue(pca.explained(0) + pca.explained(1) > 0.98);
        // the projection of the mean is the origin
        float[] origin = pca.project(pca.mean());
        assertEquals(0, origin[0], 1e-4);
        assertEquals(0, origin[1], 1e-4);
    }

    /** A few far outliers take PC1 of a plain PCA; the bulk's PCA keeps the galaxies' own direction. */
    @Test
    void bulkAxesIgnoreAFewFarOutliers() {
        Random r = new Random(5);
        int d = 16;
        List<float[]> data = new ArrayList<>();
        for (int n = 0; n < 500; n++) {
            float[] v = new float[d];
            v[0] = (float) (2 * r.nextGaussian()); // the bulk spreads along axis 0
            for (int i = 1; i < d; i++) v[i] = (float) (0.1 * r.nextGaussian());
            data.add(v);
        }
        for (int n = 0; n < 20; n++) {
            float[] v = new float[d];
            v[5] = 60 + (float) r.nextGaussian(); // outliers far along axis 5
            data.add(v);
        }
        assertEquals(1, Math.abs(Pca.of(data).axes()[0][5]), 0.05, "a plain PCA follows the outliers");
        assertEquals(1, Math.abs(EmbeddingMap.bulk(data).axes()[0][0]), 0.05, "the bulk's PCA follows the galaxies");
    }

    @Test
    void identicalPointsGiveAFiniteMapAtTheOrigin() {
        List<float[]> data = List.of(new float[] {1, 2, 3}, new float[] {1, 2, 3}, new float[] {1, 2, 3});
        float[] xy = Pca.of(data).project(data.get(0));
        assertEquals(0, xy[0], 1e-6);
        assertEquals(0, xy[1], 1e-6);
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void normalise(float[] v) {
        float n = (float) Math.sqrt(dot(v, v));
        for (int i = 0; i < v.length; i++) v[i] /= n;
    }
}
