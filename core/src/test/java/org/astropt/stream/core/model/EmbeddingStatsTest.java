package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The statistics a version publishes: what they are, how they standardise, and their file in the version folder. */
class EmbeddingStatsTest {

    @Test
    void meanAndSampleStdPerDimension() {
        EmbeddingStats s = EmbeddingStats.of(List.of(new float[] {1, 10, 5}, new float[] {3, 30, 5}, new float[] {Float.NaN, 0, 0}));
        assertEquals(2, s.count(), "the embedding with a NaN is left out");
        assertArrayEquals(new float[] {2, 20, 5}, s.mean(), 1e-6f);
        // std (N - 1) of {1, 3} and {10, 30}; the constant third dimension keeps scale 1
        assertArrayEquals(new float[] {(float) Math.sqrt(2), (float) Math.sqrt(200), 1}, s.std(), 1e-5f);
        assertArrayEquals(new float[] {1 / (float) Math.sqrt(2), -1 / (float) Math.sqrt(2), 2}, s.standardise(new float[] {3, 10, 7}), 1e-6f);
        assertArrayEquals(new float[] {3, 10, 7}, s.unstandardise(s.standardise(new float[] {3, 10, 7})), 1e-5f);
        assertThrows(IllegalArgumentException.class, () -> s.standardise(new float[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> EmbeddingStats.of(List.of(new float[] {1})), "one embedding has no spread");
    }

    @Test
    void theVersionFolderWritesAndReadsThemAndOlderFoldersHaveNone(@TempDir Path dir) throws Exception {
        ModelFolder folder = new ModelFolder(dir);
        assertTrue(folder.embeddingStats().isEmpty(), "a folder from before versions published statistics");
        EmbeddingStats s = EmbeddingStats.of(List.of(new float[] {1, 10}, new float[] {3, 30}, new float[] {2, 26}));
        folder.writeEmbeddingStats(s);
        EmbeddingStats back = folder.embeddingStats().orElseThrow();
        assertEquals(3, back.count());
        assertArrayEquals(s.mean(), back.mean());
        assertArrayEquals(s.std(), back.std());

        Files.writeString(dir.resolve(ModelFolder.EMBEDDING_STATS_FILE), "{\"count\": 2, \"mean\": [0, 1], \"std\": [1, 0]}");
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class, folder::embeddingStats);
        assertTrue(e.getMessage().startsWith(dir.resolve(ModelFolder.EMBEDDING_STATS_FILE) + ": unreadable: "), e.getMessage());
        assertTrue(e.getMessage().contains("std 0.0"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line");
    }
}
