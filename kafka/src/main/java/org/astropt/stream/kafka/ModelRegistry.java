package org.astropt.stream.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.astropt.stream.kafka.ModelRegistryException.Kind;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.ModelVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry: the versions on the models topic ({@link ModelVersions}) and the one way to publish
 * them. Records are keyed {@code name:version} ({@link Topics#modelKey}); each change goes out in one Kafka
 * transaction ({@link TransactionalWriter}), so a rollback's two records land together or not at all.
 *
 * <p>The promote rule (one for the CLI and the HTTP API): promote accepts only a CANDIDATE above the serving
 * version of its name, re-published as PROMOTED under its own number; an unknown version is NOT_FOUND; a
 * PROMOTED, REJECTED or ROLLED_BACK version, or one below the serving version, is a CONFLICT (go back with
 * rollback instead). Rollback marks the serving version ROLLED_BACK and re-publishes the previous PROMOTED
 * weights as PROMOTED under highest + 1 with parentVersion. Refusals and write failures are a
 * {@link ModelRegistryException} with a one-line message.
 *
 * <pre>{@code
 * try (ModelRegistry registry = ModelRegistry.reading(kafka, "astropt.models", "astropt-cli")) { // kafka: KafkaClientSettings
 *     registry.promote("astropt", 4, "promoted by hand");
 * }
 * }</pre>
 *
 * The transactional writer is made at the first change (a reader never waits for the transaction
 * coordinator) and dropped after a failed write, so the next change starts clean.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final AvroCodec<ModelVersion> CODEC = AvroCodec.of(ModelVersion.class);
    /** How long a read of the whole topic may take: the topic is compacted and small, so only a broker that does not answer takes long. */
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final KafkaClientSettings kafka;
    private final String topic;
    private final Supplier<ModelVersions> source;
    private final String transactionalId;
    private TransactionalWriter writer;

    private ModelRegistry(KafkaClientSettings kafka, String topic, Supplier<ModelVersions> source, String transactionalId) {
        this.kafka = kafka;
        this.topic = topic;
        this.source = source;
        this.transactionalId = transactionalId;
    }

    /** A registry that reads the whole topic afresh for every answer and decision: the trainer and the CLI. */
    public static ModelRegistry reading(KafkaClientSettings kafka, String topic, String transactionalId) {
        return new ModelRegistry(kafka, topic, () -> read(kafka, topic), transactionalId);
    }

    /** {@link #reading(KafkaClientSettings, String, String)} over PLAINTEXT (tests). */
    public static ModelRegistry reading(String bootstrap, String topic, String transactionalId) {
        return reading(KafkaClientSettings.plaintext(bootstrap), topic, transactionalId);
    }

    /**
     * A registry that decides on a fold its owner keeps current by feeding it the topic live (the model
     * server's reader). Give each process its own transactional id, so two servers never fence each other.
     */
    public static ModelRegistry following(KafkaClientSettings kafka, String topic, ModelVersions live, String transactionalId) {
        return new ModelRegistry(kafka, topic, () -> live, transactionalId);
    }

    /** The versions as this registry sees them now. */
    public ModelVersions versions() { return source.get(); }

    /** Reads the whole models topic once, read_committed, from its start to its end offsets now. */
    public static ModelVersions read(KafkaClientSettings kafka, String topic) {
        List<ConsumerRecord<byte[], byte[]>> records;
        try {
            records = CommittedRecords.all(kafka, topic, READ_TIMEOUT);
        } catch (KafkaException | IllegalStateException e) {
            throw new ModelRegistryException(Kind.UNAVAILABLE, "cannot read " + topic + " at " + kafka.bootstrapServers() + ": " + e.getMessage(), e);
        }
        ModelVersions out = new ModelVersions();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() == null) continue; // a tombstone
            try {
                out.add(decode(r.value()));
            } catch (RuntimeException e) {
                LOG.warn("{}-{}@{}: not a ModelVersion, skipped: {}", topic, r.partition(), r.offset(), e.getMessage());
            }
        }
        return out;
    }

    /** {@link #read(KafkaClientSettings, String)} over PLAINTEXT (tests). */
    public static ModelVersions read(String bootstrap, String topic) {
        return read(KafkaClientSettings.plaintext(bootstrap), topic);
    }

    /** A models-topic record's value as a ModelVersion: for readers that consume the topic live and feed a fold. */
    public static ModelVersion decode(byte[] value) { return CODEC.decode(value); }

    /** Publishes records as they are (the trainer's CANDIDATE, PROMOTED, REJECTED) in one transaction, in order. */
    public synchronized void publish(List<ModelVersion> records) {
        List<ProducerRecord<byte[], byte[]>> out = records.stream().map(v -> new ProducerRecord<>(topic,
                Topics.modelKey(v.getName(), v.getVersion()).getBytes(StandardCharsets.UTF_8), CODEC.encode(v))).toList();
        try {
            if (writer == null) writer = new TransactionalWriter(kafka, transactionalId);
            writer.write(out);
        } catch (KafkaException | IllegalStateException e) {
            close();
            throw new ModelRegistryException(Kind.UNAVAILABLE, "publishing to " + topic + " failed (a change is written whole"
                    + " or not at all; list the versions to see which): " + e.getMessage(), e);
        }
    }

    /** Promotes a CANDIDATE above the serving version (the promote rule, class doc); returns the record published. */
    public synchronized ModelVersion promote(String name, long version, String note) {
        ModelVersion out = versions().promotion(name, version, note, Instant.now());
        publish(List.of(out));
        return out;
    }

    /** Rolls the serving version back; returns the two records published: the ROLLED_BACK one, then the restored one. */
    public synchronized List<ModelVersion> rollback(String name, String note) {
        List<ModelVersion> out = versions().rollback(name, note, Instant.now());
        publish(out);
        return out;
    }

    @Override
    public synchronized void close() {
        if (writer != null) writer.close();
        writer = null;
    }
}
