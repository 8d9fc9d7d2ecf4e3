package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astropt.stream.schemas.ModelArchitecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A version folder's files, URIs and checks, on files made here (the weights are bytes: no model is built). */
class ModelFolderTest {

    @TempDir
    Path dir;

    static ModelArchitecture architecture(ModelConfig c) {
        return ModelArchitecture.newBuilder().setNLayer(c.nLayer()).setNHead(c.nHead()).setNEmbd(c.nEmbd()).setNChan(c.nChan())
                .setBlockSize(c.blockSize()).setPatchSize(c.patchSize()).setBias(c.bias()).setDropout(c.dropout()).build();
    }

    @Test
    void aWeightsUriAFolderUriAndAPathNameTheSameFolder() throws Exception {
        Path v = Files.createDirectories(dir.resolve("abc"));
        Files.writeString(v.resolve(Checkpoint.WEIGHTS_FILE), "w");
        for (String uri : List.of(v.resolve(Checkpoint.WEIGHTS_FILE).toUri().toString(), v.toUri().toString(),
                v.resolve(Checkpoint.WEIGHTS_FILE).toString(), v.toString(), "file:" + v.resolve(Checkpoint.WEIGHTS_FILE))) {
            assertEquals(v, ModelFolder.at(uri).orElseThrow().dir(), uri);
        }
        assertEquals(Optional.empty(), ModelFolder.at("s3://bucket/models/abc/weights.safetensors"));
    }

    @Test
    void verifyChecksTheChecksumAndEveryArchitectureField() throws Exception {
        ModelConfig config = new ModelConfig(2, 2, 32, 1, 64, 16, false, 0.0);
        ModelFolder folder = new ModelFolder(dir);
        InvalidCheckpointException missing = assertThrows(InvalidCheckpointException.class, () -> folder.verify(null, null));
        assertTrue(missing.getMessage().endsWith("does not exist"), missing.getMessage());

        Files.writeString(folder.weights(), "weights");
        config.write(folder.config());
        String sha = folder.sha256();
        assertEquals(config, folder.verify(sha, architecture(config)));
        assertEquals(config, folder.verify(null, null), "nothing named, nothing compared");

        InvalidCheckpointException wrongSha = assertThrows(InvalidCheckpointException.class,
                () -> folder.verify("0".repeat(64), architecture(config)));
        assertTrue(wrongSha.getMessage().contains("checksum mismatch"), wrongSha.getMessage());
        for (ModelConfig other : List.of(new ModelConfig(3, 2, 32, 1, 64, 16, false, 0.0), new ModelConfig(2, 4, 32, 1, 64, 16, false, 0.0),
                new ModelConfig(2, 2, 64, 1, 64, 16, false, 0.0), new ModelConfig(2, 2, 32, 3, 64, 16, false, 0.0),
                new ModelConfig(2, 2, 32, 1, 128, 16, false, 0.0), new ModelConfig(2, 2, 32, 1, 64, 8, false, 0.0))) {
            InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class, () -> folder.verify(sha, architecture(other)));
            assertTrue(e.getMessage().contains("not the architecture the record names"), e.getMessage());
        }
    }

    @Test
    void metricsAndTheTrainLogReadBackAsWritten() throws Exception {
        ModelFolder folder = new ModelFolder(dir);
        assertEquals(Map.of(), folder.metrics(), "no file, no metrics");
        assertEquals(Map.of(), folder.trainLog(10), "no file, no curve");
        folder.writeMetrics(Map.of(ModelFolder.HELD_OUT_LOSS, 0.25, "steps", 3));
        assertEquals(0.25, ((Number) folder.metrics().get(ModelFolder.HELD_OUT_LOSS)).doubleValue());

        StringBuilder log = new StringBuilder(TrainLog.HEADER).append('\n');
        log.append(TrainLog.row(0, Double.NaN, Double.NaN, 2.0, Double.NaN, 0.5)).append('\n');
        for (int step = 1; step <= 9; step++) log.append(TrainLog.row(step, 1e-3, 1.0 / step, Double.NaN, 100, step)).append('\n');
        Files.writeString(dir.resolve(ModelFolder.TRAIN_LOG_FILE), log);
        Map<String, List<Double>> all = folder.trainLog(100);
        assertEquals(List.of("step", "lr", "loss", "val_loss", "tokens_per_s", "elapsed_s"), List.copyOf(all.keySet()));
        assertEquals(10, all.get("step").size());
        assertEquals(2.0, all.get("val_loss").get(0));
        assertEquals(null, all.get("val_loss").get(1), "an empty cell");
        assertEquals(1.0 / 9, all.get("loss").get(9), 1e-6);
        Map<String, List<Double>> thinned = folder.trainLog(4);
        assertEquals(List.of(0.0, 3.0, 6.0, 9.0), thinned.get("step"), "every third row and the last");
    }

    @Test
    void theRecordCarriesEveryNumberOfMetricsJsonButTheParent() {
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("model", "astropt");
        written.put("round", 2);
        written.put("parent_version", 1);
        written.put("heldout_loss", 0.29);
        written.put("eval.probe_r2.mag_r", 0.8);
        assertEquals(Map.of("round", 2.0, "heldout_loss", 0.29, "eval.probe_r2.mag_r", 0.8), ModelFolder.recordMetrics(written));
    }
}
