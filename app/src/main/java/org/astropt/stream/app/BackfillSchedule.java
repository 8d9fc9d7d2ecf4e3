package org.astropt.stream.app;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;

/**
 * When a backfill is due: each time the version that serves a model name changes ({@link ModelVersions#serving}:
 * a promotion, or the restored version of a rollback), that version is backfilled, unless it has been already
 * ({@code completed}). The first version a name ever serves needs none (the stream embedded everything with it),
 * nor does a version the follower finds serving at its start whose backfill completed before. Plain Java, no
 * Kafka or Flink: {@link BackfillRunner} feeds it and runs the jobs; tested in {@code BackfillScheduleTest}.
 */
final class BackfillSchedule {

    private final Set<String> completed;
    /** name -> label ({@code name:version}) of the serving version last seen. */
    private final Map<String, String> lastServing = new HashMap<>();

    /** @param completed labels of versions whose backfill completed before (the runner keeps them in a file) */
    BackfillSchedule(Set<String> completed) {
        this.completed = new HashSet<>(completed);
    }

    /** The version of name to backfill now, if its serving version changed since the last call. */
    Optional<ModelVersion> next(ModelVersions versions, String name) {
        Optional<ModelVersion> serving = versions.serving(name);
        if (serving.isEmpty()) return Optional.empty();
        ModelVersion v = serving.get();
        String label = Topics.modelKey(name, v.getVersion());
        String before = lastServing.put(name, label);
        if (label.equals(before) || completed.contains(label)) return Optional.empty();
        if (before == null && !servedBefore(versions, v)) return Optional.empty();
        return serving;
    }

    /** A backfill of this label completed: it is never run again. */
    void completed(String label) {
        completed.add(label);
    }

    /** Whether a version below v served before it (PROMOTED, or since withdrawn by a rollback). */
    private static boolean servedBefore(ModelVersions versions, ModelVersion v) {
        return versions.versions(v.getName()).stream().anyMatch(o -> o.getVersion() < v.getVersion()
                && (o.getStatus() == ModelStatus.PROMOTED || o.getStatus() == ModelStatus.ROLLED_BACK));
    }
}
