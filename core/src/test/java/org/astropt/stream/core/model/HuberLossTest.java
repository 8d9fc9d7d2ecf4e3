package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Huber error's array forms (training, inference written out, inference fused) against PyTorch's per-value
 * definition, bit for bit.
 */
class HuberLossTest {

    @Test
    void everyFormEqualsTheReferenceDefinitionBitForBit() {
        Random r = new Random(5);
        float[] prediction = new float[20_000];
        float[] target = new float[prediction.length];
        for (int i = 0; i < prediction.length; i++) {
            prediction[i] = (float) (r.nextGaussian() * 2);
            target[i] = (float) r.nextGaussian();
        }
        prediction[0] = 1f; target[0] = 0f;   // |d| = delta exactly
        prediction[1] = -1f; target[1] = 0f;
        prediction[2] = 0.5f; target[2] = 0.5f; // d = 0
        float[] reference = new float[prediction.length];
        for (int i = 0; i < reference.length; i++) {
            float d = prediction[i] - target[i];
            float a = Math.abs(d);
            reference[i] = a < HuberLoss.DELTA ? 0.5f * d * d : HuberLoss.DELTA * (a - 0.5f * HuberLoss.DELTA); // F.huber_loss
        }
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = NDManager.newBaseManager()) {
            Shape s = new Shape(100, 200);
            assertArrayEquals(reference, HuberLoss.elementwise(m.create(prediction, s), m.create(target, s)).toFloatArray());
            assertNotNull(FusedHuber.get(), "FusedHuber's TorchScript module did not load (see the log)");
            assertArrayEquals(reference, HuberLoss.elementwiseInference(m.create(prediction, s), m.create(target, s)).toFloatArray());
            assertArrayEquals(reference, HuberLoss.writtenOut(m.create(prediction, s), m.create(target, s)).toFloatArray());
        }
    }
}
