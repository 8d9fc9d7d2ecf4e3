package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline's settings as config/pipeline.properties gives them. */
class PipelineSettingsTest {

    @Test
    void theShippedConfigReadsWithTwoBatchesInFlight() throws Exception {
        PipelineSettings s = PipelineSettings.load(Path.of("..", "config", "pipeline.properties"));
        assertEquals(2, s.embed().inFlight());
        assertEquals(500, s.checkpointIntervalMs());
        assertEquals(0, s.producerOverrides().size(), "the examples there are comments");
    }

    @Test
    void producerKeysLoseTheirPrefixAndNothingElseIsPassedOn() {
        Properties p = new Properties();
        p.setProperty("pipeline.producer.batch.size", " 1048576 ");
        p.setProperty("pipeline.producer.compression.type", "lz4");
        p.setProperty("pipeline.producer.", "ignored: no key");
        p.setProperty("pipeline.batch-size", "16");
        Properties out = PipelineSettings.of(p).producerOverrides();
        assertEquals(2, out.size(), out.toString());
        assertEquals("1048576", out.getProperty("batch.size"));
        assertEquals("lz4", out.getProperty("compression.type"));
    }

    @Test
    void aNegativeNumberInFlightIsRefusedByName() {
        Properties p = new Properties();
        p.setProperty("pipeline.inference-in-flight", "-1");
        var e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.of(p));
        assertEquals("pipeline.inference-in-flight must not be negative, not -1", e.getMessage());
    }

    @Test
    void aBadValueInTheFileNamesTheFileAndTheKey(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("pipeline.properties"), "pipeline.flag-quantile=high\n");
        var e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.load(file));
        assertEquals(file + ": pipeline.flag-quantile = 'high' is not a number", e.getMessage());
        Files.writeString(file, "pipeline.flag-quantile=1.5\n");
        e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.load(file));
        assertEquals(file + ": pipeline.flag-quantile must lie in (0, 1), not 1.5", e.getMessage());
        Files.writeString(file, "tokenizer.patch-size=0\n");
        e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), "core keys are checked when the job is built: " + e.getMessage());
    }

    @Test
    void theInitialModelKeyIsReadAndTheOldNameIsRefused() {
        Properties p = new Properties();
        p.setProperty("pipeline.initial-model", "/models/first");
        assertEquals("/models/first", PipelineSettings.of(p).embed().initialModelDir());
        Properties old = new Properties();
        old.setProperty("pipeline.bootstrap-model", "/models/first");
        var e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.of(old));
        assertEquals("pipeline.bootstrap-model = '/models/first': the key is now pipeline.initial-model", e.getMessage());
    }
}
