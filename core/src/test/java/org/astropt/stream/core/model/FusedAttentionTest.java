package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The fused kernel against softmax(q k^T / sqrt(hd) + causal mask) v written out, values and gradients. */
class FusedAttentionTest {

    @Test
    void theGeneratedModuleLoadsInDjlsLibtorch() {
        assertNotNull(FusedAttention.get(), "FusedAttention's TorchScript module did not load (see the log)");
    }

    @Test
    void fusedEqualsTheExplicitFormForShortOddAndLongSequences() {
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            for (int t : new int[] {1, 37, 256}) {
                NDArray q = m.randomNormal(new Shape(2, 3, t, 16));
                NDArray k = m.randomNormal(new Shape(2, 3, t, 16));
                NDArray v = m.randomNormal(new Shape(2, 3, t, 16));
                NDArray fused = FusedAttention.get().apply(q, k, v, false);
                assertEquals(q.getShape(), fused.getShape());
                Parity.assertRelative("T = " + t, fused, explicit(m, q, k, v), 1e-5);
            }
        }
    }

    @Test
    void gradientsThroughTheFusedKernelAreTheExplicitForms() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(11);
            Shape shape = new Shape(2, 2, 19, 8);
            NDArray q = m.randomNormal(shape);
            NDArray k = m.randomNormal(shape);
            NDArray v = m.randomNormal(shape);
            NDArray w = m.randomNormal(shape); // a loss sum(y w) weighs every output differently
            NDArray[] fused = gradients(q, k, v, w, true);
            NDArray[] explicit = gradients(q, k, v, w, false);
            String[] names = {"dq", "dk", "dv"};
            for (int i = 0; i < 3; i++) Parity.assertRelative(names[i], fused[i], explicit[i], 1e-5);
        }
    }

    private static NDArray[] gradients(NDArray q0, NDArray k0, NDArray v0, NDArray w, boolean fused) {
        NDArray q = q0.duplicate();
        NDArray k = k0.duplicate();
        NDArray v = v0.duplicate();
        for (NDArray a : new NDArray[] {q, k, v}) a.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray y = fused ? FusedAttention.get().apply(q, k, v, true) : explicit(q.getManager(), q, k, v);
            collector.backward(y.mul(w).sum());
        }
        return new NDArray[] {q.getGradient(), k.getGradient(), v.getGradient()};
    }

    private static NDArray explicit(NDManager m, NDArray q, NDArray k, NDArray v) {
        long t = q.getShape().get(2);
        NDArray positions = m.arange(t);
        NDArray bias = NDArrays.where(positions.reshape(t, 1).gte(positions.reshape(1, t)), m.zeros(new Shape(t, t)),
                m.full(new Shape(t, t), Float.NEGATIVE_INFINITY));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div((float) Math.sqrt(q.getShape().get(3))).add(bias);
        return scores.softmax(3).matMul(v);
    }
}
