package org.astropt.stream.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.io.Npy;
import org.astropt.stream.core.model.Safetensors.Dtype;
import org.astropt.stream.core.model.Safetensors.Tensor;
import org.junit.jupiter.api.Test;

/** One training step against the PyTorch reference: the loss before it and every weight after it. */
class TrainingStepParityTest {

    @Test
    void lossAndWeightsAfterOneAdamWStepMatchTheReference() throws Exception {
        Path dir = SharedFixtures.tiny("weights_after_step.safetensors").getParent();
        // The fixture README's settings: lr 1e-3, betas (0.9, 0.95), eps 1e-8, decay 0.1 on 2+ dim tensors, clip 1.0.
        Trainer.Settings settings = new Trainer.Settings(2, 1, 1, LrSchedule.of(1e-3, 0, 1), 1.0,
                new AdamW.Settings(0.9, 0.95, 1e-8, 0.1), 0, 0);
        try (AstroPTModel model = Checkpoint.load(dir, Device.cpu());
             Trainer trainer = new Trainer(model, settings);
             NDManager batch = model.newBatchManager()) {
            Npy.Array b = Npy.read(dir.resolve("step_batch.npy"));
            float loss = trainer.step(List.of(AstroPTParityTest.array(batch, b)), 1e-3);
            Parity.assertAbsolute("step loss", new float[] {loss}, Npy.read(dir.resolve("step_loss.npy")).data(), 1e-5);

            Map<String, Tensor> expected = Safetensors.read(dir.resolve("weights_after_step.safetensors"));
            Map<String, Tensor> ours = Checkpoint.tensors(model.network(), Dtype.F32);
            double worst = 0;
            for (String name : model.network().namedParameters().keySet()) {
                worst = Math.max(worst, Parity.assertAbsolute("after step " + name, ours.get(name).toFloats(),
                        expected.get(name).toFloats(), 1e-5).maxAbs());
            }
            System.out.println("parity weights after step: worst max abs " + worst);
        }
    }
}
