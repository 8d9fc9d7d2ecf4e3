package org.astropt.stream.server;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;

/**
 * Promote and rollback as status records on the models topic, keyed {@code name:version}
 * ({@link Topics#modelKey}). The pipeline serves the highest PROMOTED version and never goes down, so:
 * promote takes a CANDIDATE above the serving version; rollback marks the serving version ROLLED_BACK
 * and republishes the weights of the version that served before it as PROMOTED under a new version
 * (highest + 1, parentVersion = the restored one).
 */
public final class ModelPublisher implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final ModelCatalogue models;
    private final AvroCodec<ModelVersion> codec = AvroCodec.of(ModelVersion.class);

    public ModelPublisher(String bootstrap, String topic, ModelCatalogue models) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                // idempotent, acks=all: a retried send is never written twice or lost
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
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
        try {
            for (ModelVersion v : records) {
                byte[] key = Topics.modelKey(v.getName(), v.getVersion()).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, key, codec.encode(v))).get();
            }
        } catch (ExecutionException e) {
            throw new ApiException(503, "publishing to " + topic + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while publishing to " + topic, e);
        }
    }

    private static String label(ModelVersion v) {
        return v.getName() + " v" + v.getVersion();
    }

    @Override
    public void close() {
        producer.close();
    }
}
