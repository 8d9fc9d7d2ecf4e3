package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;

/** When a backfill is due: each change of the serving version, but not the first version, nor one already done. */
class BackfillScheduleTest {

    static ModelVersion version(long v, ModelStatus status) {
        return ModelVersion.newBuilder().setName("astropt").setVersion(v)
                .setArchitecture(ModelArchitecture.newBuilder().setNLayer(1).setNHead(1).setNEmbd(2).setNChan(3)
                        .setBlockSize(16).setPatchSize(16).setBias(false).setDropout(0).build())
                .setWeightsUri("file:/m/v" + v + "/weights.safetensors").setSha256("sha" + v).setSizeBytes(1).setStatus(status)
                .setCreatedTime(Instant.now()).build();
    }

    static Optional<Long> due(BackfillSchedule s, ModelVersions versions) {
        return s.next(versions, "astropt").map(ModelVersion::getVersion);
    }

    @Test
    void eachNewServingVersionIsBackfilledOnceButNotTheFirst() {
        ModelVersions versions = new ModelVersions();
        BackfillSchedule s = new BackfillSchedule(Set.of());
        assertEquals(Optional.empty(), due(s, versions), "nothing serves");
        versions.add(version(1, ModelStatus.PROMOTED));
        assertEquals(Optional.empty(), due(s, versions), "the first version: the stream embedded everything with it");
        versions.add(version(2, ModelStatus.CANDIDATE));
        assertEquals(Optional.empty(), due(s, versions), "a candidate does not serve");
        versions.add(version(2, ModelStatus.PROMOTED));
        assertEquals(Optional.of(2L), due(s, versions), "promoted");
        assertEquals(Optional.empty(), due(s, versions), "once");
        versions.add(version(3, ModelStatus.PROMOTED));
        versions.add(version(4, ModelStatus.PROMOTED));
        assertEquals(Optional.of(4L), due(s, versions), "two promotions between two looks: the newest only");
        // rollback: v4 ROLLED_BACK, the weights of v3 PROMOTED again as v5
        versions.add(version(4, ModelStatus.ROLLED_BACK));
        versions.add(version(5, ModelStatus.PROMOTED));
        assertEquals(Optional.of(5L), due(s, versions), "a rollback's restored version has its own number, so its own space");
    }

    @Test
    void aRestartRedoesTheServingVersionOnlyWhenItsBackfillDidNotComplete() {
        ModelVersions versions = new ModelVersions();
        versions.add(version(1, ModelStatus.PROMOTED));
        versions.add(version(2, ModelStatus.PROMOTED));
        assertEquals(Optional.of(2L), due(new BackfillSchedule(Set.of()), versions), "v2 served after v1; its backfill is not known to be done");
        assertEquals(Optional.empty(), due(new BackfillSchedule(Set.of("astropt:2")), versions), "completed before the restart");
        BackfillSchedule s = new BackfillSchedule(Set.of());
        due(s, versions);
        s.completed("astropt:2");
        versions.add(version(3, ModelStatus.PROMOTED));
        assertTrue(due(s, versions).isPresent());
    }
}
