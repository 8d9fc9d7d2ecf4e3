package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class MlpTest {

    /** The in-place GELU of inference rounds exactly as the out-of-place one that training differentiates. */
    @Test
    void inPlaceGeluEqualsTheReferenceFormBitForBit() {
        Random r = new Random(3);
        float[] values = new float[20_000];
        for (int i = 0; i < values.length; i++) values[i] = (float) (r.nextGaussian() * 3);
        values[0] = 0f;
        values[1] = -0f;
        values[2] = 1e-30f;
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] reference = Mlp.geluTanh(m.create(values, new Shape(100, 200))).toFloatArray();
            NDArray x = m.create(values, new Shape(100, 200));
            float[] inPlace = Mlp.geluTanhInPlace(x).toFloatArray();
            assertArrayEquals(reference, inPlace);
            assertArrayEquals(values, x.toFloatArray(), "the input is left as it was");
        }
    }

    /**
     * Training's GELU gives the reference form's values exactly (a zero's sign aside), and its gradient is the tanh
     * GELU's derivative, 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 0.044715 x^2) with
     * u = sqrt(2/pi) (x + 0.044715 x^3), evaluated in double.
     */
    @Test
    void straightThroughGeluHasTheValuesAndTheDerivativeOfTheTanhGelu() {
        Random r = new Random(5);
        float[] values = new float[20_000];
        for (int i = 0; i < values.length; i++) values[i] = (float) (r.nextGaussian() * 3);
        values[0] = 0f;
        values[1] = 30f;
        values[2] = -30f;
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] reference = Mlp.geluTanh(m.create(values, new Shape(100, 200))).toFloatArray();
            NDArray x = m.create(values, new Shape(100, 200));
            x.setRequiresGradient(true);
            float[] gradient;
            float[] trained;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = Mlp.geluTanhStraightThrough(x);
                trained = y.toFloatArray();
                collector.backward(y.sum());
                gradient = x.getGradient().toFloatArray();
            }
            // equal values: a zero's sign may differ (-0 + 0 is +0), which no later operation sees
            for (int i = 0; i < values.length; i++) assertEquals(reference[i], trained[i], 0f, "gelu at " + values[i]);
            double k = Math.sqrt(2 / Math.PI);
            for (int i = 0; i < values.length; i++) {
                double v = values[i];
                double t = Math.tanh(k * (v + 0.044715 * v * v * v));
                double expected = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v);
                assertEquals(expected, gradient[i], 2e-6 + 2e-6 * Math.abs(expected), "d gelu / dx at " + v);
            }
        }
    }
}
