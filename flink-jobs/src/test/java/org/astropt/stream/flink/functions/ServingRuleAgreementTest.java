package org.astropt.stream.flink.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.ModelPointerDeserializer;
import org.astropt.stream.kafka.ModelRegistryException;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;

/**
 * The pipeline and the registry agree on which version serves. The registry ({@link ModelVersions}) answers
 * for the trainer, the CLI and the server; the embed operator decides with {@link ServingVersions} from the
 * same records as they arrive. Random histories made only of what the registry publishes (a trainer round:
 * CANDIDATE then PROMOTED or REJECTED; a promote by hand; a rollback's two records), with every load
 * succeeding, must leave both naming the same serving version after every record.
 */
class ServingRuleAgreementTest {

    static final String NAME = "astropt-agree";

    @Test
    void theOperatorServesWhatTheRegistrySaysServesAfterEveryRecord() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            ModelVersions registry = new ModelVersions();
            ServingVersions operator = new ServingVersions();
            List<String> history = new ArrayList<>();
            for (int op = 0; op < 30; op++) {
                for (ModelVersion record : nextChange(registry, random)) {
                    registry.add(record);
                    operator.receive(NAME, ModelPointerDeserializer.pointer(record, new byte[0]));
                    loadEverything(operator);
                    history.add("v" + record.getVersion() + " " + record.getStatus());
                    Long expected = registry.serving(NAME).map(ModelVersion::getVersion).orElse(null);
                    ModelPointer serving = operator.serving(NAME);
                    assertEquals(expected, serving == null ? null : serving.version, "seed " + seed + " after " + history);
                }
            }
        }
    }

    /** The operator's loads, played out: each version it asks for loads and is offered to it. */
    private static void loadEverything(ServingVersions operator) {
        for (ModelPointer p = operator.nextLoad(NAME); p != null; p = operator.nextLoad(NAME)) {
            operator.loaded(NAME, p);
        }
    }

    /** One change as the registry would publish it: a trainer round, a promote by hand, or a rollback. */
    private static List<ModelVersion> nextChange(ModelVersions registry, Random random) {
        Instant now = Instant.ofEpochMilli(1_700_000_000_000L);
        int kind = random.nextInt(10);
        try {
            if (kind == 0) return registry.rollback(NAME, "rollback", now);
            if (kind == 1) {
                List<ModelVersion> candidates = registry.versions(NAME).stream()
                        .filter(v -> v.getStatus() == ModelStatus.CANDIDATE).toList();
                if (!candidates.isEmpty()) {
                    ModelVersion pick = candidates.get(random.nextInt(candidates.size()));
                    return List.of(registry.promotion(NAME, pick.getVersion(), "by hand", now));
                }
            }
        } catch (ModelRegistryException refused) {
            // the registry refuses it (nothing to roll back to, a candidate below the serving one): a round instead
        }
        long version = registry.nextVersion(NAME);
        ModelVersion candidate = record(version, "sha-" + version, ModelStatus.CANDIDATE);
        int verdict = random.nextInt(3);
        if (verdict == 0) return List.of(candidate); // left a CANDIDATE (a promote by hand may come later)
        ModelStatus status = verdict == 1 ? ModelStatus.PROMOTED : ModelStatus.REJECTED;
        return List.of(candidate, ModelVersion.newBuilder(candidate).setStatus(status).build());
    }

    private static ModelVersion record(long version, String sha256, ModelStatus status) {
        return ModelVersion.newBuilder().setName(NAME).setVersion(version)
                .setArchitecture(ModelArchitecture.newBuilder().setNLayer(2).setNHead(2).setNEmbd(64).setNChan(3)
                        .setBlockSize(1024).setPatchSize(16).setBias(false).setDropout(0).build())
                .setWeightsUri("file:/models/" + version + "/weights.safetensors").setSha256(sha256).setSizeBytes(1)
                .setMetrics(Map.of()).setParentVersion(null).setStatus(status)
                .setCreatedTime(Instant.ofEpochMilli(1_700_000_000_000L)).setNote(null).build();
    }
}
