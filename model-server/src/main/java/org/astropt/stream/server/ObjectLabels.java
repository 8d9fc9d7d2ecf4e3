package org.astropt.stream.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.heads.ObjectLabel;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Label;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels people give objects ({@code POST /objects/{id}/label}, the dashboard's buttons): {@link #write}
 * checks one ({@link ObjectLabel#parse}) and writes it as a {@link Label} record to the compacted labels topic,
 * keyed by object id, where the trainer reads it for its next round; and the latest label of every object, read
 * back from that topic from its start on a thread of its own (so labels given through another server show too),
 * for {@code GET /labels} and {@code GET /objects/{id}/label}.
 */
final class ObjectLabels implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ObjectLabels.class);
    private static final AvroCodec<Label> CODEC = AvroCodec.of(Label.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest object id, who or note accepted: a label is a few words, not a document. */
    static final int MAX_TEXT = 1_000;

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Label> latest = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;

    ObjectLabels(KafkaClientSettings kafka, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(kafka.config(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000")),
                new ByteArraySerializer(), new ByteArraySerializer());
        Map<String, Object> c = kafka.config();
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "astropt-model-server-labels");
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "astropt-server-labels");
        this.thread.setDaemon(true);
    }

    /** Assigns the labels topic from its start and starts reading; fails when the topic does not exist. */
    void start() {
        List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (parts == null || parts.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist; create the topics first (config/topics.properties)");
        }
        List<TopicPartition> all = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(all);
        consumer.seekToBeginning(all);
        started = true;
        thread.start();
    }

    /**
     * Writes a person's label of an object to the labels topic and returns the record once Kafka has it.
     * A bad label, a blank id, or a text over {@value #MAX_TEXT} characters is an IllegalArgumentException (one line).
     */
    Label write(String id, String label, String who, String note) {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("the object id is blank");
        text("object id", id);
        Label l = Label.newBuilder().setId(id).setLabel(ObjectLabel.parse(label))
                .setWho(blankToNull(text("who", who))).setNote(blankToNull(text("note", note)))
                .setTime(Instant.ofEpochMilli(System.currentTimeMillis())).build();
        try {
            producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), CODEC.encode(l))).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(503, "writing the label to " + topic + " failed: " + (e.getCause() != null ? e.getCause().getMessage() : e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while writing the label to " + topic, e);
        }
        keep(l);
        return l;
    }

    /**
     * Writes the label a request's body gives, {@code {"label": ..., "who": ..., "note": ...}} (who and note
     * optional); a body that is not a JSON object, or a field that is not a string, is an IllegalArgumentException.
     */
    Label write(String id, byte[] body) {
        JsonNode json;
        try {
            json = body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object {\"label\": \"normal|interesting|artefact:<kind>\", \"who\": ..., \"note\": ...}");
        }
        for (String field : List.of("label", "who", "note")) {
            if (json.has(field) && !json.get(field).isTextual() && !json.get(field).isNull()) {
                throw new IllegalArgumentException(field + " must be a string, not " + json.get(field));
            }
        }
        return write(id, json.path("label").asText(null), json.path("who").asText(null), json.path("note").asText(null));
    }

    /** The latest label of an object; null when nobody labelled it. */
    Label of(String id) { return latest.get(id); }

    /** Objects labelled. */
    int size() { return latest.size(); }

    /** The newest labels, newest first, at most limit. */
    List<Label> recent(int limit) {
        List<Label> all = new ArrayList<>(latest.values());
        all.sort(Comparator.comparing(Label::getTime).reversed().thenComparing(Label::getId));
        return all.subList(0, Math.min(limit, all.size()));
    }

    /** A label as JSON: id, label, who, time (epoch ms), note. */
    static Map<String, Object> json(Label l) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", l.getId());
        out.put("label", l.getLabel());
        out.put("who", l.getWho());
        out.put("time", l.getTime().toEpochMilli());
        out.put("note", l.getNote());
        return out;
    }

    /** A newer label replaces an object's; an older one read late from the topic does not. */
    private void keep(Label l) {
        latest.merge(l.getId(), l, (old, now) -> now.getTime().isBefore(old.getTime()) ? old : now);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        latest.remove(new String(r.key(), StandardCharsets.UTF_8)); // a tombstone: the label was withdrawn
                        continue;
                    }
                    try {
                        keep(CODEC.decode(r.value()));
                    } catch (RuntimeException e) {
                        LOG.debug("{}-{}@{}: not a Label, skipped: {}", r.topic(), r.partition(), r.offset(), e.toString());
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("the model server's label reader stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static String text(String what, String value) {
        if (value != null && value.length() > MAX_TEXT) {
            throw new IllegalArgumentException(what + " is " + value.length() + " characters: at most " + MAX_TEXT);
        }
        return value;
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.trim(); }

    @Override
    public void close() throws InterruptedException {
        running = false;
        producer.close(Duration.ofSeconds(5));
        if (started) {
            consumer.wakeup();
            thread.join(10_000);
        } else {
            consumer.close(Duration.ofSeconds(1));
        }
    }
}
