package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.io.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java network against the PyTorch reference on astropt-v1-tiny, loaded from its safetensors. */
class AstroPTParityTest {

    static final double REL = 1e-4; // what float32 allows on activations (fixtures README)

    static Path dir;
    static AstroPTModel model;

    @BeforeAll
    static void load() throws Exception {
        dir = SharedFixtures.tiny("weights.safetensors").getParent();
        model = Checkpoint.load(dir, Device.cpu());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    static NDArray array(NDManager m, Npy.Array a) {
        long[] shape = new long[a.shape().length];
        for (int i = 0; i < shape.length; i++) shape[i] = a.shape()[i];
        return m.create(a.data(), new Shape(shape));
    }

    @Test
    void hiddenStatesAndPredictionsMatchTheReference() throws Exception {
        Npy.Array tokens = Npy.read(dir.resolve("tokens.npy"));
        Npy.Array hidden = Npy.read(dir.resolve("hidden.npy"));
        Npy.Array prediction = Npy.read(dir.resolve("prediction.npy"));
        try (NDManager batch = model.newBatchManager()) {
            NDArray x = array(batch, tokens).expandDims(0); // [1, 16, 768]
            AstroPTBlock.Forward out = model.network().forward(model.parameterStore(batch), x, false);
            assertArrayEquals(new long[] {1, 16, 64}, out.hidden().getShape().getShape());
            Parity.assertRelative("hidden", out.hidden().toFloatArray(), hidden.data(), REL);
            Parity.assertRelative("prediction", out.prediction().toFloatArray(), prediction.data(), REL);
            Parity.assertRelative("embedding", out.hidden().mean(new int[] {1}).toFloatArray(),
                    Npy.read(dir.resolve("embedding.npy")).data(), REL);
            float[] surprise = SurpriseScore.of(out.prediction(), x).toFloatArray();
            Parity.assertRelative("surprise", surprise, Npy.read(dir.resolve("surprise.npy")).data(), REL);
        }
    }
}
