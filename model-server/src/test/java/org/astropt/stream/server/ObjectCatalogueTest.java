package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.StageTimings;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which versions' vectors the catalogue's index compares standardised (those that published statistics beside local
 * weights), and what an object shows of its latest embedding's scores and hardest tokens.
 */
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

    /** Alerts (id = candid, objectId in the metadata) are listed by their object, oldest first, until evicted. */
    @Test
    void anObjectsAlertsAreListedOverTime() {
        ObjectCatalogue catalogue = new ObjectCatalogue(3, 10, 10);
        catalogue.onEmbedding(alert("1003", "ZTF17aaa", "jd", "2458500.5"), 1);
        catalogue.onEmbedding(alert("1001", "ZTF17aaa", "jd", "2458490.5"), 2);
        catalogue.onEmbedding(alert("2001", "ZTF18bbb", "jd", "2458491.5"), 3);
        assertEquals(List.of("1001", "1003"), catalogue.alertsOf("ZTF17aaa").stream().map(ObjectView::id).toList());
        assertEquals("ZTF17aaa", catalogue.get("1003").metadata().get("objectId"));
        assertEquals(List.of(), catalogue.alertsOf("ZTF00none"));
        catalogue.onEmbedding(alert("1002", "ZTF17aaa", "mjd", "58495.0"), 4); // capacity 3: 1003, the eldest, leaves
        assertEquals(List.of("1001", "1002"), catalogue.alertsOf("ZTF17aaa").stream().map(ObjectView::id).toList());
    }

    private static Embedding alert(String candid, String objectId, String timeKey, String time) {
        Embedding e = embedding(candid, 0.5f, Map.of(), List.of());
        e.setMetadata(Map.of("candid", candid, "objectId", objectId, timeKey, time, "survey", "ZTF"));
        return e;
    }

    static Embedding embedding(String id, float surprise, Map<String, Double> scores, List<Integer> hardest) {
        return Embedding.newBuilder().setId(id).setModelName("astropt").setModelVersion(1).setVector(List.of(1f, 2f))
                .setSurprise(surprise).setFlags(List.of())
                .setTimings(StageTimings.newBuilder().setDecodeMicros(0).setTokenizeMicros(0).setEmbedMicros(0)
                        .setProducedTime(Instant.ofEpochMilli(5)).build())
                .setScores(scores).setHardestTokens(hardest).build();
    }

    /**
     * An object carries its embedding's scores; a record without scores (an older writer) shows its surprise as the
     * one score; a score that is not a number shows as null. The hardest tokens become boxes on the cutout by the
     * spiral layout of DESIGN.md (for n = 4, written out here, not computed), the cutout's x on the grid's first index.
     */
    @Test
    void objectsCarryTheirScoresAndTheirHardestTokensAsBoxesOnTheCutout() {
        ObjectCatalogue catalogue = new ObjectCatalogue(100, 10, 10);
        ObjectView.TokenGrid grid = ObjectView.TokenGrid.of(new PatchTokenizer().grid(64, 64), 64, 64);
        catalogue.onCutout("a", "synthetic", null, null, Map.of(), grid, 1);
        catalogue.onEmbedding(embedding("a", 0.25f, Map.of("surprise", 0.25, "artefact", 0.9, "artefact_cosmic_ray", 0.8),
                List.of(0, 12, 9)), 2);
        ObjectView a = catalogue.get("a");
        assertEquals(Map.of("surprise", 0.25, "artefact", 0.9, "artefact_cosmic_ray", 0.8), a.scores());
        int[][] positions = {{15, 14, 13, 12}, {4, 3, 2, 11}, {5, 0, 1, 10}, {6, 7, 8, 9}}; // [i][j], DESIGN.md
        Map<Integer, int[]> cellOf = new HashMap<>();
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) cellOf.put(positions[i][j], new int[] {i, j});
        List<ObjectView.TokenCell> cells = a.hardestCells();
        assertEquals(List.of(0, 12, 9), cells.stream().map(ObjectView.TokenCell::position).toList(), "worst first");
        for (ObjectView.TokenCell c : cells) {
            int[] ij = cellOf.get(c.position());
            assertEquals(new ObjectView.TokenCell(c.position(), ij[0], ij[1], 16 * ij[0], 16 * ij[1], 16), c);
        }
        assertEquals(new ObjectView.TokenCell(12, 0, 3, 0, 48, 16), cells.get(1), "position 12: top right of the walk, x 0, y 48");

        catalogue.onEmbedding(embedding("b", 0.5f, Map.of(), List.of()), 3);
        assertEquals(Map.of("surprise", 0.5), catalogue.get("b").scores(), "a record from before scores: surprise alone");
        assertEquals(List.of(), catalogue.get("b").hardestCells(), "no cutout seen: no grid");
        catalogue.onEmbedding(embedding("c", Float.NaN, Map.of("surprise", Double.NaN), List.of()), 4);
        assertNull(catalogue.get("c").scores().get("surprise"), "not a number: null, so the JSON stays JSON");
        assertEquals(true, catalogue.get("c").scores().containsKey("surprise"));

        PatchTokenizer.Grid cropped = new PatchTokenizer().grid(70, 50); // a 48 px square in the middle: 3 x 3 cells
        assertEquals(new PatchTokenizer.Grid(3, 16, 48, 11, 1), cropped);
    }
}
