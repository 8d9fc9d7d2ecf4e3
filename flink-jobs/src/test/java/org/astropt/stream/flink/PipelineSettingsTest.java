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
        assertEquals(0, s.consumerOverrides().size(), "the examples there are comments");
    }

    /** pipeline.model-names lists the names served at once; empty keys serve every name; both keys set is refused. */
    @Test
    void modelNamesListTheModelsServedAtOnce() {
        Properties p = new Properties();
        p.setProperty("pipeline.model-name", "");
        p.setProperty("pipeline.model-names", " astropt, astropt-ztf ");
        var embed = PipelineSettings.of(p).embed();
        assertEquals(java.util.List.of("astropt", "astropt-ztf"), embed.modelNames());
        assertTrue(embed.serves("astropt-ztf") && !embed.serves("astropt-rubin"));
        assertTrue(PipelineSettings.of(new Properties()).embed().serves("anything"), "no names: every name serves");
        p.setProperty("pipeline.model-name", "astropt");
        var e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.of(p));
        assertTrue(e.getMessage().contains("pipeline.model-name and pipeline.model-names are both set"), e.getMessage());
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
        assertEquals(0, PipelineSettings.of(p).consumerOverrides().size(), "producer keys are not consumer keys");
        p.setProperty("pipeline.consumer.fetch.min.bytes", "1048576");
        assertEquals("1048576", PipelineSettings.of(p).consumerOverrides().getProperty("fetch.min.bytes"));
        assertEquals(1, PipelineSettings.of(p).consumerOverrides().size());
    }

    /** Tokens go out as float32 unless pipeline.token-dtype says float16; an empty value keeps the default; anything else is refused by name. */
    @Test
    void tokenDtypeIsFloat32UnlessSetAndABadOneIsRefusedByName() {
        Properties p = new Properties();
        assertEquals(org.astropt.stream.core.token.TokenPacking.Precision.FLOAT32, PipelineSettings.tokenPrecision(p));
        p.setProperty("pipeline.token-dtype", "");
        assertEquals(org.astropt.stream.core.token.TokenPacking.Precision.FLOAT32, PipelineSettings.tokenPrecision(p));
        p.setProperty("pipeline.token-dtype", "FLOAT16");
        assertEquals(org.astropt.stream.core.token.TokenPacking.Precision.FLOAT16,
                PipelineSettings.tokenPrecision(PipelineSettings.of(p).coreProperties()));
        p.setProperty("pipeline.token-dtype", "bfloat16");
        var e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.of(p));
        assertEquals("pipeline.token-dtype=bfloat16 is not a token dtype: use float32 or float16", e.getMessage());
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
        Path file = Files.writeString(dir.resolve("pipeline.properties"), "pipeline.batch-delay-ms=soon\n");
        var e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.load(file));
        assertEquals(file + ": pipeline.batch-delay-ms = 'soon' is not a whole number", e.getMessage());
        Files.writeString(file, "pipeline.batch-size=0\n");
        e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.load(file));
        assertEquals(file + ": pipeline.batch-size must be at least 1, not 0", e.getMessage());
        Files.writeString(file, "tokenizer.patch-size=0\n");
        e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), "core keys are checked when the job is built: " + e.getMessage());
    }

    /** The surprise-quantile flag is gone (flags come from each version's score heads): its keys are refused, not ignored. */
    @Test
    void theOldSurpriseQuantileKeysAreRefusedSayingWhy() {
        for (String key : PipelineSettings.REMOVED_FLAG_KEYS) {
            Properties p = new Properties();
            p.setProperty(key, "0.99");
            var e = assertThrows(IllegalArgumentException.class, () -> PipelineSettings.of(p));
            assertTrue(e.getMessage().startsWith(key + " = '0.99': the key is gone: flags come from the score heads"), e.getMessage());
        }
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
