package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The oneDNN kernels with the GELU or the residual sum inside, against the written-out forms. */
class FusedLinearTest {

    @Test
    void theModuleLoadsForCpuInferenceAndNowhereElse() {
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(2, 3));
            assertNotNull(FusedLinear.forInference(x, false),
                    "FusedLinear's TorchScript module did not load (see the log)");
            assertNull(FusedLinear.forInference(x, true), "training needs the written-out forms' backward");
            assertNull(FusedLinear.forInference(x.toType(DataType.FLOAT64, false), false));
        }
    }

    @Test
    void geluAfterTheProductEqualsTheWrittenOutGelu() {
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            for (boolean withBias : new boolean[] {false, true}) {
                NDArray x = m.randomNormal(new Shape(3, 17, 24));
                NDArray w = m.randomNormal(new Shape(96, 24)).mul(0.3f);
                NDArray b = withBias ? m.randomNormal(new Shape(96)) : null;
                NDArray product = product(x, w, b);
                NDArray fused = FusedLinear.forInference(x, false).geluTanh(x, w, b);
                assertEquals(new Shape(3, 17, 96), fused.getShape());
                Parity.assertRelative("bias " + withBias, fused, Mlp.geluTanh(product), 1e-6);
            }
        }
    }

    @Test
    void residualSumAfterTheProductEqualsTheWrittenOutSum() {
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(5);
            for (boolean withBias : new boolean[] {false, true}) {
                NDArray x = m.randomNormal(new Shape(4, 9, 48));
                NDArray w = m.randomNormal(new Shape(12, 48));
                NDArray b = withBias ? m.randomNormal(new Shape(12)) : null;
                NDArray residual = m.randomNormal(new Shape(4, 9, 12)).mul(10);
                NDArray product = product(x, w, b);
                NDArray fused = FusedLinear.forInference(x, false).plus(x, w, b, residual);
                assertEquals(residual.getShape(), fused.getShape());
                Parity.assertRelative("bias " + withBias, fused, residual.add(product), 1e-6);
            }
        }
    }

    @Test
    void sumIntoTheResidualEqualsTheWrittenOutSumAndOverwritesIt() {
        AstroPTModel.disableGradientsOnThisThread();
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray x = m.randomNormal(new Shape(4, 9, 48));
            NDArray w = m.randomNormal(new Shape(12, 48));
            NDArray residual = m.randomNormal(new Shape(4, 9, 12)).mul(10);
            NDArray expected = residual.add(product(x, w, null));
            NDArray sum = FusedLinear.forInference(x, false).addInto(x, w, residual);
            assertEquals(residual.getShape(), sum.getShape());
            Parity.assertRelative("into", sum, expected, 1e-6);
            Parity.assertRelative("the residual itself", residual, expected, 1e-6);
        }
    }

    /** x W^T (+ b) through DJL's own linear: the written-out product. */
    private static NDArray product(NDArray x, NDArray w, NDArray b) {
        NDList y = b == null ? ai.djl.nn.core.Linear.linear(x, w) : ai.djl.nn.core.Linear.linear(x, w, b);
        return y.singletonOrThrow();
    }
}
