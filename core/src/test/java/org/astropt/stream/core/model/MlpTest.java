package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
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
}
