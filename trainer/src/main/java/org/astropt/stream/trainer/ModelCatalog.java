package org.astropt.stream.trainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions of one model as astropt.models says now: the latest record of each version (records are
 * keyed {@code <name>:<version>}, so a REJECTED copy from the pipeline or a ROLLED_BACK status replaces the
 * version's earlier record). Read once, read_committed, from the start to the end of the topic. The trainer,
 * the CLI ({@code astropt models list}) and the model server read the topic through this.
 */
public final class ModelCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);
    static final AvroCodec<ModelVersion> CODEC = AvroCodec.of(ModelVersion.class);

    private final String name;
    private final TreeMap<Long, ModelVersion> byVersion = new TreeMap<>();

    private ModelCatalog(String name) {
        this.name = name;
    }

    /** The catalog of the given records, in topic order (later records of a version win). */
    public static ModelCatalog of(String name, List<ModelVersion> records) {
        ModelCatalog c = new ModelCatalog(name);
        records.forEach(c::add);
        return c;
    }

    /** Reads the whole models topic now. */
    public static ModelCatalog read(String bootstrapServers, String topic, String name) {
        ModelCatalog c = new ModelCatalog(name);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) parts.add(new TopicPartition(topic, p.partition()));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) continue;
                    try {
                        c.add(CODEC.decode(r.value()));
                    } catch (RuntimeException e) {
                        LOG.warn("{}-{}@{}: not a ModelVersion, skipped: {}", topic, r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
        }
        return c;
    }

    private void add(ModelVersion v) {
        if (name.equals(v.getName())) byVersion.put(v.getVersion(), v);
    }

    public String name() { return name; }

    /** Every version's latest record, oldest version first. */
    public List<ModelVersion> versions() { return List.copyOf(byVersion.values()); }

    public Optional<ModelVersion> version(long version) { return Optional.ofNullable(byVersion.get(version)); }

    /** What serves: the highest version whose latest status is PROMOTED. */
    public Optional<ModelVersion> promoted() {
        return byVersion.descendingMap().values().stream().filter(v -> v.getStatus() == ModelStatus.PROMOTED).findFirst();
    }

    /** The PROMOTED version that served before the current one with other weights: what a rollback brings back. */
    public Optional<ModelVersion> previousPromoted() {
        Optional<ModelVersion> current = promoted();
        if (current.isEmpty()) return Optional.empty();
        return byVersion.headMap(current.get().getVersion(), false).descendingMap().values().stream()
                .filter(v -> v.getStatus() == ModelStatus.PROMOTED && !v.getSha256().equals(current.get().getSha256()))
                .findFirst();
    }

    /** The version number the next record gets: 1 + the highest seen (1 for a new model). */
    public long nextVersion() { return byVersion.isEmpty() ? 1 : byVersion.lastKey() + 1; }

    /** The newest version holding these weights, if any: how a resumed round finds what it already published. */
    public Optional<ModelVersion> withSha256(String sha256) {
        return byVersion.descendingMap().values().stream().filter(v -> v.getSha256().equalsIgnoreCase(sha256)).findFirst();
    }
}
