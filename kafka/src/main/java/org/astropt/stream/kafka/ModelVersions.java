package org.astropt.stream.kafka;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.astropt.stream.kafka.ModelRegistryException.Kind;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;

/**
 * The models topic folded into "latest record per {@code name:version}" (the topic's key, so a REJECTED or
 * ROLLED_BACK record replaces the version's earlier one), per model name, and the rules that follow from it:
 * which version serves, what a rollback restores, the next version number, and the records a promote or a
 * rollback publishes. No I/O: {@link ModelRegistry} feeds it from Kafka and publishes what it decides.
 * Thread-safe (the model server adds records on its reader thread while HTTP handlers read).
 *
 * <p>The promote rule: only a CANDIDATE above the serving version of its name can be promoted; it is
 * re-published as PROMOTED under its own number. The pipeline serves the highest PROMOTED version and never
 * goes down, so going back is a rollback: the serving version becomes ROLLED_BACK and the weights that served
 * before it (the previous PROMOTED version with other weights) are published as PROMOTED under highest + 1,
 * with parentVersion naming the restored version.
 */
public final class ModelVersions {

    private final Map<String, TreeMap<Long, ModelVersion>> byName = new LinkedHashMap<>();
    private String lastName;

    /** The fold of these records, in topic order (later records of a version win). */
    public static ModelVersions of(List<ModelVersion> records) {
        ModelVersions out = new ModelVersions();
        records.forEach(out::add);
        return out;
    }

    /** Folds one record in: it replaces the earlier record of its name and version. */
    public synchronized void add(ModelVersion v) {
        byName.computeIfAbsent(v.getName(), k -> new TreeMap<>()).put(v.getVersion(), v);
        lastName = v.getName();
    }

    /** The model names seen, in the order they first appeared. */
    public synchronized List<String> names() { return List.copyOf(byName.keySet()); }

    /** The name of the last record folded in; null before any. */
    public synchronized String lastName() { return lastName; }

    /** Records held, all names together. */
    public synchronized int size() { return byName.values().stream().mapToInt(Map::size).sum(); }

    /** Every version's latest record, oldest version first; empty for an unknown name. */
    public synchronized List<ModelVersion> versions(String name) {
        TreeMap<Long, ModelVersion> m = byName.get(name);
        return m == null ? List.of() : List.copyOf(m.values());
    }

    public synchronized Optional<ModelVersion> version(String name, long version) {
        TreeMap<Long, ModelVersion> m = byName.get(name);
        return Optional.ofNullable(m == null ? null : m.get(version));
    }

    /** What serves: the highest version whose latest status is PROMOTED. */
    public synchronized Optional<ModelVersion> serving(String name) {
        return descending(name).stream().filter(v -> v.getStatus() == ModelStatus.PROMOTED).findFirst();
    }

    /** The PROMOTED version below the serving one with other weights: what a rollback brings back. */
    public synchronized Optional<ModelVersion> previousServing(String name) {
        Optional<ModelVersion> current = serving(name);
        if (current.isEmpty()) return Optional.empty();
        return descending(name).stream()
                .filter(v -> v.getVersion() < current.get().getVersion() && v.getStatus() == ModelStatus.PROMOTED)
                .filter(v -> !v.getSha256().equalsIgnoreCase(current.get().getSha256()))
                .findFirst();
    }

    /** The version number the next record of this name gets: 1 + the highest seen (1 for a new model). */
    public synchronized long nextVersion(String name) {
        TreeMap<Long, ModelVersion> m = byName.get(name);
        return m == null || m.isEmpty() ? 1 : m.lastKey() + 1;
    }

    /** The newest version holding these weights, if any: how a resumed round finds what it already published. */
    public synchronized Optional<ModelVersion> withSha256(String name, String sha256) {
        return descending(name).stream().filter(v -> v.getSha256().equalsIgnoreCase(sha256)).findFirst();
    }

    /**
     * The record that promotes a version, by the promote rule (class doc); a {@link ModelRegistryException}
     * NOT_FOUND for an unknown version, CONFLICT for any other status or a version below the serving one.
     */
    public synchronized ModelVersion promotion(String name, long version, String note, Instant now) {
        ModelVersion v = version(name, version).orElseThrow(() -> new ModelRegistryException(Kind.NOT_FOUND,
                "model " + name + " has no version " + version + "; list the versions to see them"));
        if (v.getStatus() == ModelStatus.PROMOTED) {
            throw new ModelRegistryException(Kind.CONFLICT, label(v) + " is already PROMOTED");
        }
        if (v.getStatus() != ModelStatus.CANDIDATE) {
            throw new ModelRegistryException(Kind.CONFLICT, label(v) + " is " + v.getStatus()
                    + "; only a CANDIDATE can be promoted (to serve older weights again, roll back)");
        }
        Optional<ModelVersion> serving = serving(name);
        if (serving.isPresent() && serving.get().getVersion() > version) {
            throw new ModelRegistryException(Kind.CONFLICT, label(v) + " is below the serving v" + serving.get().getVersion()
                    + " and the pipeline only moves up; use rollback to go back");
        }
        return ModelVersion.newBuilder(v).setStatus(ModelStatus.PROMOTED).setCreatedTime(now).setNote(note).build();
    }

    /**
     * The two records of a rollback, in the order they are published: the serving version as ROLLED_BACK,
     * then the previous serving weights as PROMOTED under highest + 1. CONFLICT when nothing serves or
     * nothing served before with other weights.
     */
    public synchronized List<ModelVersion> rollback(String name, String note, Instant now) {
        ModelVersion serving = serving(name).orElseThrow(() -> new ModelRegistryException(Kind.CONFLICT,
                "nothing to roll back: no version of " + name + " is PROMOTED"));
        ModelVersion previous = previousServing(name).orElseThrow(() -> new ModelRegistryException(Kind.CONFLICT,
                "model " + name + " has no earlier PROMOTED version with other weights than v" + serving.getVersion()));
        long next = nextVersion(name);
        ModelVersion rolledBack = ModelVersion.newBuilder(serving).setStatus(ModelStatus.ROLLED_BACK).setCreatedTime(now)
                .setNote(note + "; v" + previous.getVersion() + " serves again as v" + next).build();
        ModelVersion restored = ModelVersion.newBuilder(previous).setVersion(next).setParentVersion(previous.getVersion())
                .setStatus(ModelStatus.PROMOTED).setCreatedTime(now)
                .setNote(note + ": the weights of v" + previous.getVersion() + " replace v" + serving.getVersion()).build();
        return List.of(rolledBack, restored);
    }

    private List<ModelVersion> descending(String name) {
        TreeMap<Long, ModelVersion> m = byName.get(name);
        return m == null ? List.of() : new ArrayList<>(m.descendingMap().values());
    }

    private static String label(ModelVersion v) {
        return v.getName() + " v" + v.getVersion();
    }
}
