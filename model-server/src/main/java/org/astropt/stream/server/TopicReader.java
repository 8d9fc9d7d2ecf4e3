package org.astropt.stream.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.Flag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one Kafka consumer, on its own thread: embeddings, flags, models and cutouts
 * (read_committed, every partition assigned, no consumer group: each server sees everything) into the
 * catalogue, the model registry's fold of versions and the thumbnail cache.
 *
 * <p>Where it starts: the models topic from the beginning (compacted: every version's latest status);
 * the others only from their tail, as much as the server keeps in each partition (max index size
 * embeddings, flags-kept flags, thumbnail-cache-size cutouts), so a restart does not replay a week.
 * A record that does not decode is counted and skipped.
 */
final class TopicReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    static final String CONSUMED = "astropt_server_records_consumed_total";
    static final String UNREADABLE = "astropt_server_records_unreadable_total";
    static final String PIPELINE_LATENCY = "astropt_pipeline_latency_seconds";

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ServerSettings settings;
    private final ObjectCatalogue catalogue;
    private final ModelVersions versions;
    private final Thumbnails thumbnails;
    private final PipelineStats stats;
    private final Metrics metrics;
    private final CutoutDecoder decoder;
    /** Not to tokenize: where the pipeline's token grid lies on each cutout, for the dashboard's hardest-token outlines. */
    private final PatchTokenizer tokenizer;
    private final Map<String, String> roleOf = new HashMap<>();
    private final AvroCodec<Embedding> embeddings = AvroCodec.of(Embedding.class);
    private final AvroCodec<Flag> flags = AvroCodec.of(Flag.class);
    private final AvroCodec<Cutout> cutouts = AvroCodec.of(Cutout.class);
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;
    private Map<TopicPartition, Long> startEnds;

    TopicReader(ServerSettings settings, ObjectCatalogue catalogue, ModelVersions versions, Thumbnails thumbnails,
            PipelineStats stats, Metrics metrics) {
        this.settings = settings;
        this.catalogue = catalogue;
        this.versions = versions;
        this.thumbnails = thumbnails;
        this.stats = stats;
        this.metrics = metrics;
        this.decoder = new CutoutDecoder(settings.coreConfig().decodeLimits());
        this.tokenizer = new PatchTokenizer(settings.coreConfig().tokenizerSettings());
        Map<String, Object> config = settings.kafka().config();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "astropt-model-server");
        // whole FITS cubes ride on the cutouts topic: let one fetch hold several
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (String role : List.of(Topics.MODELS, Topics.EMBEDDINGS, Topics.FLAGS, Topics.CUTOUTS)) {
            roleOf.put(settings.topics().name(role), role);
        }
        this.thread = new Thread(this::run, "astropt-server-topics");
        this.thread.setDaemon(true);
    }

    /** Assigns the partitions, seeks, and starts the thread; fails when a topic does not exist. */
    void start() {
        List<TopicPartition> all = new ArrayList<>();
        Map<TopicPartition, Integer> keep = new HashMap<>();
        for (Map.Entry<String, String> t : roleOf.entrySet()) {
            List<PartitionInfo> parts;
            try {
                parts = consumer.partitionsFor(t.getKey(), Duration.ofSeconds(30));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new IllegalStateException("no answer from Kafka at " + settings.bootstrap() + " in 30 s about topic "
                        + t.getKey() + "; is the broker running, and is --bootstrap right?", e);
            }
            if (parts == null || parts.isEmpty()) {
                throw new IllegalStateException("topic " + t.getKey() + " does not exist on " + settings.bootstrap()
                        + "; create the topics first (config/topics.properties)");
            }
            int tail = switch (t.getValue()) {
                case Topics.EMBEDDINGS -> settings.maxIndexSize();
                case Topics.FLAGS -> settings.flagsKept();
                case Topics.CUTOUTS -> settings.thumbnailCacheSize();
                default -> -1; // models: everything
            };
            for (PartitionInfo p : parts) {
                TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                all.add(tp);
                keep.put(tp, tail); // per partition: keys hash unevenly, and the catalogue's own bound keeps memory in check
            }
        }
        consumer.assign(all);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(all);
        startEnds = consumer.endOffsets(all);
        for (TopicPartition tp : all) {
            int k = keep.get(tp);
            consumer.seek(tp, k < 0 ? begin.get(tp) : Math.max(begin.get(tp), startEnds.get(tp) - k));
        }
        started = true;
        thread.start();
    }

    /** Waits until everything that was on the topics when the server started has been read. */
    boolean awaitCaughtUp(long timeout, TimeUnit unit) throws InterruptedException {
        return caughtUp.await(timeout, unit);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) handle(r);
                if (caughtUp.getCount() > 0 && reachedStartEnds()) caughtUp.countDown();
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("the model server's topic reader stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean reachedStartEnds() {
        for (Map.Entry<TopicPartition, Long> e : startEnds.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        String role = roleOf.get(r.topic());
        long now = System.currentTimeMillis();
        metrics.count(CONSUMED, "Records read from Kafka by the model server, per topic.", "topic", r.topic());
        if (r.value() == null) return; // a tombstone on a compacted topic
        try {
            switch (role) {
                case Topics.MODELS -> {
                    var v = ModelRegistry.decode(r.value());
                    versions.add(v);
                    catalogue.onModelVersion(v);
                }
                case Topics.FLAGS -> catalogue.onFlag(flags.decode(r.value()), now);
                case Topics.EMBEDDINGS -> onEmbedding(embeddings.decode(r.value()), now);
                case Topics.CUTOUTS -> onCutout(cutouts.decode(r.value()), now);
                default -> { }
            }
        } catch (RuntimeException e) {
            metrics.count(UNREADABLE, "Records the model server could not decode, per topic.", "topic", r.topic());
            LOG.debug("{}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    private void onEmbedding(Embedding e, long now) {
        catalogue.onEmbedding(e, now);
        var t = e.getTimings();
        if (t == null) return;
        double latency = stats.onEmbedding(t.getSourceTime() == null ? null : t.getSourceTime().toEpochMilli(),
                t.getProducedTime().toEpochMilli(), now);
        if (latency >= 0) {
            metrics.observe(PIPELINE_LATENCY, "End-to-end pipeline latency: embedding produced minus the cutout record's Kafka timestamp.", latency);
        }
    }

    /** Renders the thumbnail and notes the truth labels; a cutout that does not decode still counts as seen. */
    private void onCutout(Cutout c, long now) {
        stats.onCutout(now);
        Map<String, String> metadata = c.getMetadata();
        ObjectView.TokenGrid grid = null;
        try {
            CutoutImage image = decoder.decode(c);
            thumbnails.put(c.getId(), Thumbnails.render(image));
            metadata = image.metadata();
            int p = tokenizer.settings().patchSize();
            if (image.width() >= p && image.height() >= p) {
                grid = ObjectView.TokenGrid.of(tokenizer.grid(image.width(), image.height()), image.width(), image.height());
            }
        } catch (RuntimeException e) {
            metrics.count(UNREADABLE, "Records the model server could not decode, per topic.", "topic", settings.topics().name(Topics.CUTOUTS));
        }
        catalogue.onCutout(c.getId(), c.getSurvey(), c.getRa(), c.getDec(), metadata, grid, now);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (!started) {
            consumer.close(Duration.ofSeconds(1));
            return;
        }
        consumer.wakeup();
        thread.join(10_000);
    }
}
