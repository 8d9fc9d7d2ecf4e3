package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileModelStoreTest {

    @TempDir
    Path dir;

    private Path version(String name, String weights) throws Exception {
        Path v = dir.resolve(name);
        Files.createDirectories(v);
        Files.writeString(v.resolve(Checkpoint.WEIGHTS_FILE), weights);
        Files.writeString(v.resolve(Checkpoint.CONFIG_FILE), "{}");
        Files.writeString(v.resolve(ModelFolder.METRICS_FILE), "{\"heldout_loss\": 0.5}");
        return v;
    }

    @Test
    void versionsAreStoredOnceUnderTheSha256OfTheirWeights() throws Exception {
        ModelStore store = ModelStore.of(dir.resolve("store").toUri().toString());
        URI a = store.put(version("a", "weights one"));
        URI again = store.put(version("b", "weights one"));
        URI c = store.put(version("c", "weights two"));
        Path local = store.open(a);
        assertEquals(Checkpoint.sha256(local.resolve(Checkpoint.WEIGHTS_FILE)), local.getFileName().toString());
        assertEquals(a, again, "the same weights are one folder");
        assertEquals(List.of(a, c).stream().sorted().toList(), store.list());
        assertTrue(Files.isRegularFile(local.resolve(ModelFolder.METRICS_FILE)));
        assertEquals(local, store.open(ModelStore.weights(a)), "a weights URI opens its folder");
    }

    @Test
    void plainPathsAndFileUrisAreTheSameStoreAndOtherSchemesAreRefusedInOneLine() throws Exception {
        URI viaPath = ModelStore.of(dir.resolve("s").toString()).put(version("a", "w"));
        URI viaUri = ModelStore.of("file://" + dir.resolve("s")).put(version("b", "w"));
        assertEquals(viaPath, viaUri);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelStore.of("hdfs://nn/models"));
        assertEquals("model store hdfs://nn/models: the hdfs:// scheme is not supported yet; use a file:// URI or a path"
                + " (trainer.model-store)", e.getMessage());
    }
}
