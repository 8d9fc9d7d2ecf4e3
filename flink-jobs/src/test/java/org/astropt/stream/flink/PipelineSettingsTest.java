package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

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
}
