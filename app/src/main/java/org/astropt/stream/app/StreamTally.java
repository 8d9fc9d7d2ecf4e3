package org.astropt.stream.app;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.Flag;
import org.astropt.stream.schemas.FlagKind;

/**
 * What came out of the stream since the local stack started, read as any downstream user would
 * (read_committed): object ids tokenized, embedded, dead-lettered and flagged, the model versions that
 * made the embeddings, and every model version record on the models topic (from its beginning); per model name, the
 * objects it embedded and those it flagged ARTEFACT (the alert model's bogus flags), and dead letters per source topic.
 */
final class StreamTally implements AutoCloseable {

    /** The latest record of one model version. */
    record Version(String name, long version, String status, String note) {}

    private final Topics topics;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Set<String> tokenized = new HashSet<>();
    private final Set<String> embedded = new HashSet<>();
    private final Set<String> deadLettered = new HashSet<>();
    private final Set<String> flagged = new HashSet<>();
    /** Embeddings by model version, "name vN". */
    private final Map<String, Long> embeddingsByVersion = new TreeMap<>();
    /** Of those, the re-embeddings backfills wrote after promotions. */
    private final Map<String, Long> backfilledByVersion = new TreeMap<>();
    private final Map<String, Set<String>> embeddedByModel = new TreeMap<>();
    private final Map<String, Set<String>> artefactFlaggedByModel = new TreeMap<>();
    private final Map<String, Long> deadLettersByTopic = new TreeMap<>();
    private final ModelVersions versions = new ModelVersions();
    private volatile Throwable failure;

    StreamTally(KafkaClientSettings kafka, Topics topics) {
        this.topics = topics;
        // Subscribed before anything is sent: the output topics are read from their current end.
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024))),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> fromEnd = new ArrayList<>();
        List<TopicPartition> fromStart = new ArrayList<>();
        for (String role : List.of(Topics.TOKENS, Topics.EMBEDDINGS, Topics.DEAD_LETTER, Topics.FLAGS, Topics.MODELS)) {
            String name = topics.name(role);
            for (var info : consumer.partitionsFor(name)) {
                (role.equals(Topics.MODELS) ? fromStart : fromEnd).add(new TopicPartition(name, info.partition()));
            }
        }
        List<TopicPartition> all = new ArrayList<>(fromEnd);
        all.addAll(fromStart);
        consumer.assign(all);
        consumer.seekToEnd(fromEnd);
        for (TopicPartition tp : fromEnd) consumer.position(tp); // resolve the end now, not at the first poll
        consumer.seekToBeginning(fromStart);
        thread = new Thread(() -> {
            try (consumer) {
                AvroCodec<Embedding> embeddings = AvroCodec.of(Embedding.class);
                AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
                AvroCodec<Flag> flags = AvroCodec.of(Flag.class);
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                        synchronized (this) {
                            take(r, key, embeddings, deadLetters, flags);
                        }
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }, "astropt-demo-tally");
        thread.setDaemon(true);
        thread.start();
    }

    private void take(ConsumerRecord<byte[], byte[]> r, String key, AvroCodec<Embedding> embeddings, AvroCodec<DeadLetter> deadLetters,
            AvroCodec<Flag> flags) {
        String topic = r.topic();
        if (topic.equals(topics.name(Topics.TOKENS))) {
            if (key != null) tokenized.add(key);
        } else if (topic.equals(topics.name(Topics.EMBEDDINGS))) {
            Embedding e = embeddings.decode(r.value());
            embedded.add(e.getId().toString());
            String version = e.getModelName() + " v" + e.getModelVersion();
            embeddingsByVersion.merge(version, 1L, Long::sum);
            if (e.getMetadata().containsKey(Topics.BACKFILL_METADATA_KEY)) backfilledByVersion.merge(version, 1L, Long::sum);
            embeddedByModel.computeIfAbsent(e.getModelName().toString(), n -> new HashSet<>()).add(e.getId().toString());
        } else if (topic.equals(topics.name(Topics.DEAD_LETTER))) {
            DeadLetter d = deadLetters.decode(r.value());
            deadLettersByTopic.merge(d.getSourceTopic().toString(), 1L, Long::sum);
            if (d.getKey() != null) deadLettered.add(StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString());
            else if (key != null) deadLettered.add(key);
        } else if (topic.equals(topics.name(Topics.FLAGS))) {
            if (key != null) flagged.add(key);
            Flag f = flags.decode(r.value());
            if (f.getKind() == FlagKind.ARTEFACT) artefactFlaggedByModel.computeIfAbsent(String.valueOf(f.getModelName()), n -> new HashSet<>()).add(f.getId().toString());
        } else if (r.value() != null) {
            versions.add(ModelRegistry.decode(r.value()));
        }
    }

    /** The ids of these that were neither embedded nor dead-lettered, sorted. */
    synchronized List<String> unaccounted(Set<String> ids) {
        return ids.stream().filter(id -> !embedded.contains(id) && !deadLettered.contains(id)).sorted().toList();
    }

    synchronized Summary summary(long produced) {
        return new Summary(produced, tokenized.size(), embedded.size(), deadLettered.size(), flagged.size(),
                Map.copyOf(embeddingsByVersion), Map.copyOf(backfilledByVersion), versions.names().stream().flatMap(n -> versions.versions(n).stream())
                        .map(v -> new Version(v.getName(), v.getVersion(), v.getStatus().name(), v.getNote() == null ? "" : v.getNote()))
                        .sorted(java.util.Comparator.comparingLong(Version::version)).toList());
    }

    synchronized int tokenized() { return tokenized.size(); }

    /** What became of one input's records so far: objects the model embedded and flagged ARTEFACT, the topic's dead letters. */
    record InputProgress(int embedded, int flaggedArtefact, long deadLettered) {}

    /** Progress of the objects a model name embeds that arrive on one input topic (the alert model and its topic). */
    synchronized InputProgress progress(String modelName, String topic) {
        return new InputProgress(embeddedByModel.getOrDefault(modelName, Set.of()).size(),
                artefactFlaggedByModel.getOrDefault(modelName, Set.of()).size(), deadLettersByTopic.getOrDefault(topic, 0L));
    }

    /** The first of ids (e.g. the cutout feed's, not the alerts') embedded in this run, or null. */
    synchronized String anyEmbedded(java.util.Collection<String> ids) {
        for (String id : ids) if (embedded.contains(id)) return id;
        return null;
    }

    Throwable failure() { return failure; }

    /** The end-of-run figures of {@code astropt demo --exit-when-done}. */
    record Summary(long produced, int tokenized, int embedded, int deadLettered, int flagged,
            Map<String, Long> embeddingsByVersion, Map<String, Long> backfilledByVersion, List<Version> versions) {

        long promoted() { return versions.stream().filter(v -> v.status().equals("PROMOTED")).count(); }

        String render() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(java.util.Locale.ROOT,
                    "produced %d, tokenized %d, embedded %d, dead-lettered %d, flagged %d%n",
                    produced, tokenized, embedded, deadLettered, flagged));
            b.append("embeddings by model version: ").append(new TreeMap<>(embeddingsByVersion));
            if (!backfilledByVersion.isEmpty()) b.append(", of which backfilled: ").append(new TreeMap<>(backfilledByVersion));
            b.append(System.lineSeparator());
            b.append("model versions:").append(System.lineSeparator());
            for (Version v : versions) {
                b.append(String.format(java.util.Locale.ROOT, "  %s v%d %s%s%n", v.name(), v.version(), v.status(),
                        v.note().isEmpty() ? "" : " (" + v.note() + ")"));
            }
            return b.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(5000);
    }
}
