package org.astropt.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astropt.stream.kafka.ModelRegistryException.Kind;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;

/** The fold of the models topic and the promote rule, on records made here: no broker. */
class ModelVersionsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static ModelVersion record(String name, long version, ModelStatus status, String sha) {
        return ModelVersion.newBuilder().setName(name).setVersion(version)
                .setArchitecture(ModelArchitecture.newBuilder().setNLayer(2).setNHead(2).setNEmbd(32).setNChan(1)
                        .setBlockSize(64).setPatchSize(16).setBias(false).setDropout(0).build())
                .setWeightsUri("file:///store/" + sha + "/weights.safetensors").setSha256(sha).setSizeBytes(1)
                .setMetrics(Map.of()).setStatus(status).setCreatedTime(NOW).build();
    }

    /** a: v1 PROMOTED (sha a1), v2 REJECTED, v3 PROMOTED (sha a3), v4 CANDIDATE; b: v1 CANDIDATE. */
    private static ModelVersions twoModels() {
        return ModelVersions.of(List.of(
                record("a", 1, ModelStatus.CANDIDATE, "a1"), record("a", 1, ModelStatus.PROMOTED, "a1"),
                record("b", 1, ModelStatus.CANDIDATE, "b1"),
                record("a", 2, ModelStatus.CANDIDATE, "a2"), record("a", 2, ModelStatus.REJECTED, "a2"),
                record("a", 3, ModelStatus.PROMOTED, "a3"), record("a", 4, ModelStatus.CANDIDATE, "a4")));
    }

    @Test
    void theLatestRecordOfEachVersionCountsPerName() {
        ModelVersions v = twoModels();
        assertEquals(List.of("a", "b"), v.names());
        assertEquals(List.of(1L, 2L, 3L, 4L), v.versions("a").stream().map(ModelVersion::getVersion).toList());
        assertEquals(ModelStatus.REJECTED, v.version("a", 2).orElseThrow().getStatus());
        assertEquals(3, v.serving("a").orElseThrow().getVersion(), "the highest PROMOTED");
        assertEquals(1, v.previousServing("a").orElseThrow().getVersion());
        assertEquals(5, v.nextVersion("a"));
        assertEquals(Optional.empty(), v.serving("b"));
        assertEquals(2, v.nextVersion("b"));
        assertEquals(1, v.nextVersion("nobody"));
        assertEquals(List.of(), v.versions("nobody"));
        assertEquals(2, v.withSha256("a", "A2").orElseThrow().getVersion(), "sha256 in any case");
        assertEquals(5, v.size(), "a v1-v4 and b v1");
        assertEquals("a", v.lastName());
    }

    @Test
    void aRollbackRestoresThePreviousWeightsNotTheSameOnesUnderAnotherNumber() {
        ModelVersions v = twoModels();
        v.add(record("a", 5, ModelStatus.PROMOTED, "a3")); // a3's weights again, as after an earlier rollback
        assertEquals(1, v.previousServing("a").orElseThrow().getVersion());
        List<ModelVersion> out = v.rollback("a", "bad", NOW);
        assertEquals(ModelStatus.ROLLED_BACK, out.get(0).getStatus());
        assertEquals(5, out.get(0).getVersion());
        assertEquals(6, out.get(1).getVersion());
        assertEquals(ModelStatus.PROMOTED, out.get(1).getStatus());
        assertEquals("a1", out.get(1).getSha256());
        assertEquals(1L, out.get(1).getParentVersion());
    }

    @Test
    void onlyACandidateAboveTheServingVersionIsPromoted() {
        ModelVersions v = twoModels();
        ModelVersion p = v.promotion("a", 4, "by hand", NOW);
        assertEquals(4, p.getVersion(), "under its own number");
        assertEquals(ModelStatus.PROMOTED, p.getStatus());
        assertEquals("by hand", p.getNote());
        assertEquals(1, v.promotion("b", 1, "first", NOW).getVersion(), "nothing serves yet: any CANDIDATE");

        assertRefused(Kind.NOT_FOUND, "has no version 9", () -> v.promotion("a", 9, "", NOW));
        assertRefused(Kind.NOT_FOUND, "has no version 1", () -> v.promotion("nobody", 1, "", NOW));
        assertRefused(Kind.CONFLICT, "already PROMOTED", () -> v.promotion("a", 3, "", NOW));
        assertRefused(Kind.CONFLICT, "only a CANDIDATE can be promoted", () -> v.promotion("a", 2, "", NOW));
        v.add(record("a", 3, ModelStatus.ROLLED_BACK, "a3"));
        assertRefused(Kind.CONFLICT, "is ROLLED_BACK", () -> v.promotion("a", 3, "", NOW));
        v.add(record("a", 5, ModelStatus.PROMOTED, "a5"));
        assertRefused(Kind.CONFLICT, "use rollback to go back", () -> v.promotion("a", 4, "", NOW));
    }

    @Test
    void aRollbackNeedsSomethingServingAndSomethingBefore() {
        ModelVersions v = twoModels();
        assertRefused(Kind.CONFLICT, "no version of b is PROMOTED", () -> v.rollback("b", "", NOW));
        ModelVersions one = ModelVersions.of(List.of(record("a", 1, ModelStatus.PROMOTED, "a1")));
        assertRefused(Kind.CONFLICT, "no earlier PROMOTED version with other weights than v1", () -> one.rollback("a", "", NOW));
    }

    private static void assertRefused(Kind kind, String says, Runnable move) {
        ModelRegistryException e = assertThrows(ModelRegistryException.class, move::run);
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
    }
}
