package org.astropt.stream.trainer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.kafka.TransactionalWriter;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;

/**
 * Writes ModelVersion records to astropt.models, keyed {@link Topics#modelKey}, each batch in one Kafka
 * transaction (a restarted writer with the same transactional id fences the old one). Promotion by hand and
 * rollback live here, so the CLI and the trainer publish the same way.
 */
public final class ModelReleases implements AutoCloseable {

    private final String bootstrapServers;
    private final String topic;
    private final String name;
    private final TransactionalWriter writer;

    public ModelReleases(String bootstrapServers, Topics topics, String name, String transactionalId) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topics.name(Topics.MODELS);
        this.name = name;
        this.writer = new TransactionalWriter(bootstrapServers, transactionalId);
    }

    /** The models topic as it is now. */
    public ModelCatalog catalog() { return ModelCatalog.read(bootstrapServers, topic, name); }

    /** Publishes records in one transaction, in order; returns once they are committed. */
    public void publish(List<ModelVersion> records) {
        writer.write(records.stream().map(v -> new ProducerRecord<>(topic,
                Topics.modelKey(v.getName(), v.getVersion()).getBytes(StandardCharsets.UTF_8), ModelCatalog.CODEC.encode(v))).toList());
    }

    /**
     * Makes a version serve. The highest version number is re-published as PROMOTED under its own number; an
     * older one (the pipeline only moves up) is re-published as a new, higher version with the same weights.
     */
    public ModelVersion promote(long version) {
        ModelCatalog catalog = catalog();
        ModelVersion v = catalog.version(version).orElseThrow(() -> new IllegalArgumentException(
                "model " + name + " has no version " + version + "; `astropt models list` shows them"));
        long current = catalog.promoted().map(ModelVersion::getVersion).orElse(0L);
        ModelVersion out;
        if (version == catalog.nextVersion() - 1 && version > current) {
            out = copy(v, version, ModelStatus.PROMOTED, "promoted by hand");
        } else {
            out = copy(v, catalog.nextVersion(), ModelStatus.PROMOTED, "promoted by hand: the weights of v" + version);
            out.setParentVersion(version);
        }
        publish(List.of(out));
        return out;
    }

    /**
     * Brings back the previous promoted weights: the serving version becomes ROLLED_BACK, and the previous
     * one's weights are published as PROMOTED under a new, higher version, so the stream swaps back.
     */
    public ModelVersion rollback() {
        ModelCatalog catalog = catalog();
        ModelVersion current = catalog.promoted().orElseThrow(() -> new IllegalArgumentException(
                "model " + name + " has no PROMOTED version to roll back"));
        ModelVersion previous = catalog.previousPromoted().orElseThrow(() -> new IllegalArgumentException(
                "model " + name + " has no earlier PROMOTED version with other weights than v" + current.getVersion()));
        ModelVersion back = copy(previous, catalog.nextVersion(), ModelStatus.PROMOTED,
                "rollback of v" + current.getVersion() + " to the weights of v" + previous.getVersion());
        back.setParentVersion(previous.getVersion());
        publish(List.of(copy(current, current.getVersion(), ModelStatus.ROLLED_BACK,
                "rolled back: v" + back.getVersion() + " serves the weights of v" + previous.getVersion()), back));
        return back;
    }

    static ModelVersion copy(ModelVersion v, long version, ModelStatus status, String note) {
        return ModelVersion.newBuilder(v).setVersion(version).setStatus(status).setNote(note)
                .setCreatedTime(Instant.now()).build();
    }

    @Override
    public void close() { writer.close(); }
}
