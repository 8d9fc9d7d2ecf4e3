package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.TopicSpec;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.trainer.Trainers;
import org.astropt.stream.trainer.TrainerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stack of only the parts a caller asks for (the benchmark's broker alone, or broker and Flink), and the starter it publishes. */
class LocalStackTest {

    @Test
    void aBrokerAloneHasTheTopicsAndNoOtherPart(@TempDir Path dir) throws Exception {
        Topics topics = Topics.defaults().withPrefix("alone.");
        try (LocalStack stack = LocalStack.builder(dir, topics).kafka(0).start();
             Admin admin = Admin.create(java.util.Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            Set<String> names = admin.listTopics().names().get();
            for (TopicSpec t : topics.all()) assertTrue(names.contains(t.name()), t.name() + " in " + names);
            IllegalStateException e = assertThrows(IllegalStateException.class, stack::flink);
            assertEquals("this local stack was built without Flink", e.getMessage());
            assertThrows(IllegalStateException.class, stack::trainer);
        }
        assertTrue(Files.isDirectory(dir.resolve("kafka")), "the broker's log lives in DATA/kafka");
    }

    @Test
    void aStackWithoutABrokerIsRefusedBeforeAnythingStarts(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LocalStack.builder(dir, Topics.defaults()).flink(0, 1, new org.apache.flink.configuration.Configuration()).start());
        assertTrue(e.getMessage().contains("needs a broker"), e.getMessage());
    }

    /** A tiny model folder of preset 2/4/64 (3 bands) with a metrics.json, standing in for the shipped starter. */
    static Path tinyStarter(Path dir) throws Exception {
        try (AstroPTModel m = AstroPTModel.create(ModelConfig.of(2, 4, 64), AstroPTModel.defaultDevice(), 5)) {
            Checkpoint.save(m, dir, Safetensors.Dtype.F32);
        }
        new ModelFolder(dir).writeMetrics(Map.of(ModelFolder.HELD_OUT_LOSS, 0.25));
        return dir;
    }

    static LocalStack.TrainerSettingsFor trainer(Path data, String preset) {
        return bootstrap -> {
            Properties p = new Properties();
            p.setProperty("trainer.bootstrap-servers", bootstrap);
            p.setProperty("trainer.model-store", data.resolve("models").toString());
            p.setProperty("trainer.state-dir", data.resolve("trainer").toString());
            p.setProperty("trainer.preset", preset);
            return TrainerSettings.of(p);
        };
    }

    @Test
    void theStarterIsPublishedOnceAsThePromotedFirstVersionWithItsWeightsInTheStore(@TempDir Path dir) throws Exception {
        Path starter = tinyStarter(dir.resolve("starter"));
        Path data = dir.resolve("data");
        Topics topics = Topics.defaults();
        String sha;
        try (LocalStack stack = LocalStack.builder(data, topics).kafka(0).trainer(trainer(data, "2/4/64"), new Trainers.Listener() {})
                .starter(starter).start()) {
            ModelVersion v = stack.starterPublished().orElseThrow();
            sha = new ModelFolder(starter).sha256();
            assertEquals(1, v.getVersion());
            assertEquals(ModelStatus.PROMOTED, v.getStatus());
            assertEquals(sha, v.getSha256());
            assertEquals(0.25, v.getMetrics().get(ModelFolder.HELD_OUT_LOSS), "metrics.json travels with the record");
            assertEquals("the starter model starter: held-out loss 0.25000 in pretraining (docs/MODEL.md)", v.getNote().toString());
            // What the pipeline and the trainer do with the record: verify the stored folder, then fine-tune from it.
            ModelFolder stored = ModelFolder.at(v.getWeightsUri()).orElseThrow();
            assertEquals(ModelConfig.of(2, 4, 64), stored.verify(v.getSha256(), v.getArchitecture()));
            assertEquals(v, ModelRegistry.read(stack.bootstrapServers(), topics.name(Topics.MODELS)).serving("astropt").orElseThrow());
            assertEquals(v.getVersion(), stack.servingModel().orElseThrow().getVersion(), "the trainer sees it serving");
        }
        // The same data folder again: a version serves already, so nothing new is published.
        try (LocalStack again = LocalStack.builder(data, topics).kafka(0).trainer(trainer(data, "2/4/64"), new Trainers.Listener() {})
                .starter(starter).start()) {
            assertTrue(again.starterPublished().isEmpty());
            assertEquals(1, again.trainer().catalog().versions("astropt").size());
            assertEquals(sha, again.servingModel().orElseThrow().getSha256());
        }
    }

    @Test
    void aStarterOfAnotherSizeThanTheTrainersPresetIsRefusedNamingBoth(@TempDir Path dir) throws Exception {
        Path starter = tinyStarter(dir.resolve("starter"));
        Path data = dir.resolve("data");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalStack.builder(data, Topics.defaults()).kafka(0)
                .trainer(trainer(data, "1M"), new Trainers.Listener() {}).starter(starter).start());
        assertEquals(starter + ": the starter is 2 layers, 4 heads, n_embd 64, 3 bands, block 1024, patch 16, but trainer.preset 1M makes"
                + " 4 layers, 8 heads, n_embd 128, 3 bands, block 1024, patch 16; use the starter's preset or start from scratch (--from-scratch)", e.getMessage());
    }
}
