package org.astropt.stream.kafka;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.TopicExistsException;
import org.astropt.stream.core.config.SettingsFile;

/**
 * The seven topics of the pipeline (DESIGN.md, "Topics"), read from config/topics.properties
 * ({@code topic.<role>.name|partitions|replication-factor|config.<kafka key>}); every key has the
 * default below, so an empty file gives the documented layout.
 */
public final class Topics implements Serializable {

    public static final String CUTOUTS = "cutouts";
    public static final String TOKENS = "tokens";
    public static final String EMBEDDINGS = "embeddings";
    public static final String FLAGS = "flags";
    public static final String MODELS = "models";
    public static final String DEAD_LETTER = "dead-letter";
    /** People's labels of objects (dashboard, POST /objects/{id}/label), for the trainer's score heads. */
    public static final String LABELS = "labels";

    /**
     * The key of a ModelVersion record on the models topic: {@code <name>:<version>}. Keyed by name alone,
     * compaction would keep only a model's last record, so a REJECTED status would hide the PROMOTED
     * version before it; keyed by version, every version's latest status survives (docs/PIPELINE.md).
     */
    public static String modelKey(String name, long version) { return name + ":" + version; }

    /**
     * The Embedding metadata key a backfill marks its records with, its value the {@link #modelKey} of the version
     * backfilled: a re-embedding of an object the stream saw before, not a new object (docs/PIPELINE.md, "Backfill").
     */
    public static final String BACKFILL_METADATA_KEY = "backfill";

    /** A week: long enough for a new pipeline version to replay the feed. */
    static final String WEEK_MS = "604800000";
    /** A month: time for a human to look at flags and dead letters. */
    static final String MONTH_MS = "2592000000";

    private final Map<String, TopicSpec> byRole;

    private Topics(Map<String, TopicSpec> byRole) {
        this.byRole = Map.copyOf(byRole);
    }

    /** The layout of config/topics.properties: 4 partitions for the per-object topics, 1 for the others. */
    public static Topics defaults() {
        return of(SettingsFile.defaults());
    }

    public static Topics load(Path file) throws IOException {
        return of(SettingsFile.read(file));
    }

    /** The keys of config/topics.properties and their defaults. */
    public static Topics of(SettingsFile s) {
        Map<String, TopicSpec> specs = new LinkedHashMap<>();
        put(specs, s, CUTOUTS, 4, Map.of("cleanup.policy", "delete", "retention.ms", WEEK_MS));
        put(specs, s, TOKENS, 4, Map.of("cleanup.policy", "compact"));
        put(specs, s, EMBEDDINGS, 4, Map.of("cleanup.policy", "delete", "retention.ms", WEEK_MS));
        put(specs, s, FLAGS, 1, Map.of("cleanup.policy", "delete", "retention.ms", MONTH_MS));
        put(specs, s, MODELS, 1, Map.of("cleanup.policy", "compact"));
        put(specs, s, DEAD_LETTER, 1, Map.of("cleanup.policy", "delete", "retention.ms", MONTH_MS));
        put(specs, s, LABELS, 1, Map.of("cleanup.policy", "compact"));
        return new Topics(specs);
    }

    private static void put(Map<String, TopicSpec> specs, SettingsFile s, String role, int partitions, Map<String, String> configs) {
        String prefix = "topic." + role + ".";
        Map<String, String> merged = new LinkedHashMap<>(configs);
        merged.putAll(s.withPrefix(prefix + "config."));
        int replication = s.intValue(prefix + "replication-factor", 1);
        specs.put(role, s.build(() -> {
            if (replication < 1 || replication > Short.MAX_VALUE) {
                throw new IllegalArgumentException(prefix + "replication-factor must be 1 to " + Short.MAX_VALUE + ", not " + replication);
            }
            return new TopicSpec(role, s.string(prefix + "name", "astropt." + role), s.intValue(prefix + "partitions", partitions),
                    (short) replication, merged);
        }));
    }

    public TopicSpec spec(String role) {
        TopicSpec s = byRole.get(role);
        if (s == null) throw new IllegalArgumentException("no topic for role '" + role + "'; roles: " + byRole.keySet());
        return s;
    }

    /** The Kafka topic name of a role. */
    public String name(String role) { return spec(role).name(); }

    public List<TopicSpec> all() { return List.copyOf(byRole.values()); }

    /** Same layout with every name prefixed (tests run many pipelines on one broker). */
    public Topics withPrefix(String prefix) {
        Map<String, TopicSpec> renamed = new LinkedHashMap<>();
        byRole.forEach((role, s) -> renamed.put(role,
                new TopicSpec(role, prefix + s.name(), s.partitions(), s.replicationFactor(), s.configs())));
        return new Topics(renamed);
    }

    /** Creates every topic that does not exist yet; existing topics are left as they are. */
    public void create(Admin admin) throws InterruptedException {
        for (TopicSpec s : all()) {
            try {
                admin.createTopics(List.of(s.newTopic())).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("creating topic " + s.name() + " failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        awaitLeaders(admin);
    }

    /** Topic creation returns before the broker serves the partitions; wait until each has a leader (30 s at most). */
    private void awaitLeaders(Admin admin) throws InterruptedException {
        List<String> names = all().stream().map(TopicSpec::name).toList();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                boolean ready = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("topics " + names + " have no leader after 30 s", e.getCause());
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("topics " + names + " have no leader after 30 s");
            Thread.sleep(50);
        }
    }
}
