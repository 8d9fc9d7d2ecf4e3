package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which versions' vectors the catalogue's index compares standardised: those that published statistics beside local weights. */
class ObjectCatalogueTest {

    static ModelVersion version(long v, String weightsUri) {
        return ModelVersion.newBuilder().setName("astropt").setVersion(v)
                .setArchitecture(ModelArchitecture.newBuilder().setNLayer(1).setNHead(1).setNEmbd(2).setNChan(3)
                        .setBlockSize(16).setPatchSize(16).setBias(false).setDropout(0).build())
                .setWeightsUri(weightsUri).setSha256("0").setSizeBytes(1).setStatus(ModelStatus.PROMOTED)
                .setCreatedTime(Instant.now()).build();
    }

    @Test
    void aVersionsPublishedStatisticsStandardiseItsVectorsAndOlderVersionsStayRaw(@TempDir Path dir) throws Exception {
        EmbeddingStats stats = EmbeddingStats.of(List.of(new float[] {1, 10}, new float[] {3, 30}));
        new ModelFolder(dir.resolve("v2")).writeEmbeddingStats(stats);
        Files.createDirectories(dir.resolve("v1"));
        Files.createDirectories(dir.resolve("v3"));
        Files.writeString(dir.resolve("v3").resolve(ModelFolder.EMBEDDING_STATS_FILE), "not json");

        ObjectCatalogue catalogue = new ObjectCatalogue(100, 10, 10);
        catalogue.onModelVersion(version(1, dir.resolve("v1").resolve("weights.safetensors").toUri().toString()));
        catalogue.onModelVersion(version(2, dir.resolve("v2").resolve("weights.safetensors").toUri().toString()));
        catalogue.onModelVersion(version(3, dir.resolve("v3").resolve("weights.safetensors").toUri().toString()));
        catalogue.onModelVersion(version(4, "s3://models/v4/weights.safetensors"));

        assertNull(catalogue.standardisedWith("astropt:1"), "made before versions published statistics: raw cosine");
        assertEquals("astropt:2", catalogue.standardisedWith("astropt:2"));
        assertArrayEquals(stats.mean(), catalogue.index().statistics("astropt:2").mean());
        assertArrayEquals(stats.std(), catalogue.index().statistics("astropt:2").std());
        assertNull(catalogue.standardisedWith("astropt:3"), "an unreadable file: raw cosine, and a warning in the log");
        assertNull(catalogue.standardisedWith("astropt:4"), "not a local folder");
        assertNull(catalogue.standardisedWith(null), "no model yet");
    }
}
