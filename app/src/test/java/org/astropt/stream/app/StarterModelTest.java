package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.config.AstroptConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.HuberLoss;
import org.astropt.stream.core.model.TokenBatch;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.trainer.TrainerSettings;
import org.junit.jupiter.api.Test;

/**
 * The starter model that ships in models/astropt-1m-starter (docs/MODEL.md, "The starter model"): the
 * architecture the trainer's settings make, the folder the pipeline's settings name, and a model that has
 * learned something: on galaxies it never saw (the demo feed's survey seed, not the pretraining seed) its
 * next-patch loss is well below an untrained network's of the same size, and below two baselines without
 * a network (the previous patch again; zeros).
 */
class StarterModelTest {

    static final Path ROOT = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."));
    static final Path STARTER = ROOT.resolve("models/astropt-1m-starter");
    /** Unseen cutouts scored: 16 batches of 32 (Trainer.evaluate reads at most 20). */
    static final int UNSEEN = 512;

    @Test
    void theStarterIsTheTrainersPresetAndThePipelinesInitialModel() throws Exception {
        ModelConfig starter = new ModelFolder(STARTER).verify(null, null);
        TrainerSettings trainer = TrainerSettings.load(ROOT.resolve("config/trainer.properties"), Map.of());
        assertEquals(trainer.modelPreset().config().withChannels(ModelConfig.DEFAULT_CHANNELS), starter, "trainer.preset's network for grz");
        assertEquals(AstroptConfig.load(ROOT.resolve("config/trainer.properties")).tokenizerSettings().patchSize(), starter.patchSize());
        PipelineSettings pipeline = PipelineSettings.load(ROOT.resolve("config/pipeline.properties"));
        assertEquals(Path.of("models/astropt-1m-starter"), Path.of(pipeline.embed().initialModelDir()));
        // metrics.json's held-out loss is the last validation loss of its train-log.csv.
        List<Double> val = new ModelFolder(STARTER).trainLog(Integer.MAX_VALUE).get("val_loss");
        double last = val.get(val.size() - 1);
        assertEquals(last, ((Number) new ModelFolder(STARTER).metrics().get(ModelFolder.HELD_OUT_LOSS)).doubleValue(), 1e-6);
        assertTrue(Files.size(STARTER.resolve("weights.safetensors")) < 8 << 20, "a few MB in the repository");
    }

    @Test
    void onTheDemoFeedsUnseenGalaxiesTheStarterBeatsAnUntrainedNetwork() throws Exception {
        TrainingData unseen = TrainingData.simulate(UNSEEN, 64, DemoFeed.SURVEY_SEED,
                new PatchTokenizer(TokenizerSettings.defaults().withSize(64)));
        float starterLoss;
        float untrainedLoss;
        try (AstroPTModel starter = new ModelFolder(STARTER).load(AstroPTModel.defaultDevice());
             Trainer t = new Trainer(starter, Trainer.Settings.astropt(1e-3, 32, 1, 1))) {
            starterLoss = t.evaluate(unseen.sequences());
        }
        try (AstroPTModel fresh = AstroPTModel.create(ModelConfig.preset("1M").config(), AstroPTModel.defaultDevice(), 1);
             Trainer t = new Trainer(fresh, Trainer.Settings.astropt(1e-3, 32, 1, 1))) {
            untrainedLoss = t.evaluate(unseen.sequences());
        }
        // Two networks-free baselines on the same next-token targets: the previous patch again, and zeros.
        float copyLoss;
        float zeroLoss;
        try (AstroPTModel any = AstroPTModel.create(ModelConfig.of(1, 1, 8), AstroPTModel.defaultDevice(), 1);
             NDManager m = any.newBatchManager()) {
            NDArray tokens = TokenBatch.stack(m, unseen.sequences());
            long t = tokens.getShape().get(1);
            NDArray target = tokens.get(new NDIndex(":, 1:{}", t));
            copyLoss = HuberLoss.mean(tokens.get(new NDIndex(":, :{}", t - 1)), target).getFloat();
            zeroLoss = HuberLoss.mean(target.zerosLike(), target).getFloat();
        }
        System.out.printf("on %d unseen cutouts of the demo's survey: starter %.4f, untrained 1M %.4f, previous patch %.4f, zeros %.4f%n",
                UNSEEN, starterLoss, untrainedLoss, copyLoss, zeroLoss);
        assertTrue(starterLoss < 0.9 * untrainedLoss, "starter " + starterLoss + " vs untrained " + untrainedLoss);
        assertTrue(starterLoss < Math.min(copyLoss, zeroLoss), "starter " + starterLoss + " vs previous patch " + copyLoss + ", zeros " + zeroLoss);
    }
}
