package org.astropt.stream.server;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.kafka.TransactionalWriter;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;

/**
 * Promote and rollback as status records on the models topic, keyed {@code name:version}
 * ({@link Topics#modelKey}). The pipeline serves the highest PROMOTED version and never goes down, so:
 * promote takes a CANDIDATE above the serving version; rollback marks the serving version ROLLED_BACK
 * and republishes the weights of the version that served before it as PROMOTED under a new version
 * (highest + 1, parentVersion = the restored one). The records of one change go out in one Kafka
 * transaction, so a failure cannot leave a ROLLED_BACK record without the version that replaces it.
 */
public final class ModelPublisher implements AutoCloseable {

    private final String bootstrap;
    private final String topic;
    private final ModelCatalogue models;
    private final AvroCodec<ModelVersion> codec = AvroCodec.of(ModelVersion.class);
    /**
     * Made at the first promote or rollback (the server starts without waiting for the transaction
     * coordinator), dropped after a failed write so the next one starts clean. Its transactional id is this
     * instance's own: two servers on one topic never fence each other.
     */
    private TransactionalWriter writer;

    public ModelPublisher(String bootstrap, String topic, ModelCatalogue models) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.models = models;
    }

    /** Publishes {@code version} as PROMOTED; returns the record sent. */
    public synchronized ModelVersion promote(long version, String note) {
        ModelVersion v = models.version(version);
        if (v == null) throw new ApiException(404, "no version " + version + " of " + models.modelName() + " on " + topic, null);
        if (v.getStatus() == ModelStatus.PROMOTED) throw new ApiException(409, label(v) + " is already PROMOTED", null);
        if (v.getStatus() != ModelStatus.CANDIDATE) {
            throw new ApiException(409, label(v) + " is " + v.getStatus() + "; only a CANDIDATE can be promoted", null);
        }
        ModelVersion serving = models.promoted();
        if (serving != null && serving.getVersion() > version) {
            throw new ApiException(409, label(v) + " is below the serving v" + serving.getVersion()
                    + " and the pipeline only moves up; use POST /models/rollback to go back", null);
        }
        ModelVersion out = ModelVersion.newBuilder(v).setStatus(ModelStatus.PROMOTED).setCreatedTime(Instant.now())
                .setNote(note != null ? note : "promoted through the model server").build();
        send(List.of(out));
        return out;
    }

    /**
     * Marks the serving version ROLLED_BACK and republishes the previous serving weights as PROMOTED under
     * version highest + 1; returns the two records sent (the rolled-back one, then the new one).
     */
    public synchronized List<ModelVersion> rollback(String note) {
        ModelVersion serving = models.promoted();
        if (serving == null) throw new ApiException(409, "nothing to roll back: no version of " + models.modelName() + " is PROMOTED", null);
        List<ModelVersion> all = models.versions();
        ModelVersion previous = all.stream()
                .filter(v -> v.getVersion() < serving.getVersion() && v.getStatus() == ModelStatus.PROMOTED)
                .filter(v -> !v.getSha256().equalsIgnoreCase(serving.getSha256()))
                .findFirst().orElse(null);
        if (previous == null) {
            throw new ApiException(409, "nothing to roll back to: no PROMOTED version with other weights below v" + serving.getVersion(), null);
        }
        long next = all.get(0).getVersion() + 1;
        Instant now = Instant.now();
        String why = note != null ? note : "rolled back through the model server";
        ModelVersion rolledBack = ModelVersion.newBuilder(serving).setStatus(ModelStatus.ROLLED_BACK).setCreatedTime(now)
                .setNote(why + "; v" + previous.getVersion() + " serves again as v" + next).build();
        ModelVersion restored = ModelVersion.newBuilder(previous).setVersion(next).setParentVersion(previous.getVersion())
                .setStatus(ModelStatus.PROMOTED).setCreatedTime(now)
                .setNote(why + ": the weights of v" + previous.getVersion() + " replace v" + serving.getVersion()).build();
        List<ModelVersion> out = new ArrayList<>(List.of(rolledBack, restored));
        send(out);
        return out;
    }

    private void send(List<ModelVersion> records) {
        List<ProducerRecord<byte[], byte[]>> out = records.stream().map(v -> new ProducerRecord<>(topic,
                Topics.modelKey(v.getName(), v.getVersion()).getBytes(StandardCharsets.UTF_8), codec.encode(v))).toList();
        try {
            if (writer == null) writer = new TransactionalWriter(bootstrap, "astropt-model-server-" + UUID.randomUUID());
            writer.write(out);
        } catch (KafkaException | IllegalStateException e) {
            close();
            throw new ApiException(503, "publishing to " + topic + " failed (a change is written whole or not at all; GET /models shows which): " + e.getMessage(), e);
        }
    }

    private static String label(ModelVersion v) {
        return v.getName() + " v" + v.getVersion();
    }

    @Override
    public synchronized void close() {
        if (writer != null) writer.close();
        writer = null;
    }
}
