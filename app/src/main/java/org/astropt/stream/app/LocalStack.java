package org.astropt.stream.app;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.TopicSpec;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.server.ModelServer;
import org.astropt.stream.server.ServerSettings;
import org.astropt.stream.trainer.ContinuousTrainer;
import org.astropt.stream.trainer.ModelStore;
import org.astropt.stream.trainer.RoundResult;
import org.astropt.stream.trainer.TrainerSettings;
import org.astropt.stream.trainer.Trainers;

/**
 * The local stack in one JVM, the composition root that {@code astropt demo}, the benchmarks and the
 * ITCases share: an in-process KRaft broker with the topics (or an existing broker), a Flink mini cluster
 * with its web UI running the pipeline and, after each promotion, a backfill of the token topic with the new
 * version ({@link BackfillRunner}), the model server and its dashboard, the trainer with the starters it publishes
 * (its own model's and other names', e.g. the alert model), the demo's feed and its alert feed ({@link AlertFeed}), each
 * only when asked for. {@link #close()} stops them in reverse order: feeds, trainer, server, backfills, Flink, Kafka.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.builder(Path.of("data"), topics).kafka(9092).pipeline(8081, settings).start()) {
 *     stack.flink().webUi();  // the job runs until close()
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {

    private final Path data;
    private final Topics topics;
    private final List<AutoCloseable> started = new ArrayList<>();
    private KafkaClientSettings kafkaClient;
    private LocalKafkaBroker kafka;
    private StreamTally tally;
    private LocalFlink flink;
    private ModelServer server;
    private Trainers trainers;
    private ContinuousTrainer trainer;
    private DemoFeed feed;
    private AlertFeed alertFeed;
    private ModelVersion starterPublished;
    /** Starters of other model names this stack published (name -> version), beside the trainer's. */
    private final Map<String, ModelVersion> startersPublished = new java.util.LinkedHashMap<>();

    private LocalStack(Path data, Topics topics) {
        this.data = data;
        this.topics = topics;
    }

    /** A stack whose state (Kafka's log, checkpoints, models, trainer state) lives under data. */
    public static Builder builder(Path data, Topics topics) { return new Builder(data, topics); }

    /** The trainer's settings once the broker's address is known (an in-process broker on port 0 picks its own). */
    @FunctionalInterface
    public interface TrainerSettingsFor {
        TrainerSettings at(String bootstrapServers) throws java.io.IOException;
    }

    /** What to start; nothing is started before {@link #start()}. */
    public static final class Builder {
        private final Path data;
        private final Topics topics;
        private Integer kafkaPort;
        private KafkaClientSettings externalKafka;
        private Integer uiPort;
        private int slots = 1;
        private Configuration flinkConf = new Configuration();
        private PipelineSettings pipeline;
        private ServerSettings serverSettings;
        private TrainerSettingsFor trainerSettings;
        private Trainers.Listener listener;
        private boolean tally;
        private Feed feedPlan;
        private Path starter;
        private final Map<String, Path> otherStarters = new java.util.LinkedHashMap<>();
        private AlertPlan alertPlan;
        private final java.util.Set<String> alertTopics = new java.util.LinkedHashSet<>();
        private BackfillRunner.Listener backfill;

        private Builder(Path data, Topics topics) {
            this.data = data;
            this.topics = topics;
        }

        /** An in-process broker on this localhost port (0 picks a free one), its log in DATA/kafka, with the topics. */
        public Builder kafka(int port) {
            this.kafkaPort = port;
            return this;
        }

        /** A broker already running at bootstrap (its topics are the caller's business), instead of an in-process one. */
        public Builder kafka(String bootstrapServers) {
            return kafka(KafkaClientSettings.plaintext(bootstrapServers));
        }

        /**
         * A broker already running, reached as kafka says (bootstrap servers and kafka.* keys: SASL, TLS): every
         * client of the stack (pipeline, backfill, server, trainer, feed, tally) connects so.
         */
        public Builder kafka(KafkaClientSettings kafka) {
            this.externalKafka = kafka;
            return this;
        }

        /** A Flink mini cluster with its web UI on this port (0: a free one), with extra cluster settings. */
        public Builder flink(int uiPort, int slots, Configuration extra) {
            this.uiPort = uiPort;
            this.slots = slots;
            this.flinkConf = extra;
            return this;
        }

        /** The pipeline job on a mini cluster with one slot per parallel task, its checkpoints wherever settings say. */
        public Builder pipeline(int uiPort, PipelineSettings settings) {
            this.pipeline = settings;
            return flink(uiPort, settings.parallelism(), new Configuration());
        }

        /**
         * With the pipeline: a backfill of the token topic each time a version starts to serve, on the same mini
         * cluster (which gets slots for it), completed ones remembered in DATA/backfill ({@link BackfillRunner}).
         */
        public Builder backfill(BackfillRunner.Listener listener) {
            this.backfill = listener;
            return this;
        }

        /** The model server; its broker and topics are the stack's. */
        public Builder server(ServerSettings settings) {
            this.serverSettings = settings;
            return this;
        }

        /**
         * The trainer: one {@link ContinuousTrainer} per model its settings declare (trainer.models: e.g. the galaxy
         * model and astropt-ztf, each on its layout; {@link Trainers}), constructed, not started
         * ({@link LocalStack#trainFirstRound} and {@link Trainers#start()} run them).
         */
        public Builder trainer(TrainerSettingsFor forBootstrap, Trainers.Listener listener) {
            this.trainerSettings = forBootstrap;
            this.listener = listener;
            return this;
        }

        /**
         * With the trainer: when no version of its model serves, publish this pretrained model folder (the
         * starter, models/astropt-1m-starter) as its PROMOTED version before the feed starts ({@link #publishStarter}).
         */
        Builder starter(Path folder) {
            this.starter = folder;
            return this;
        }

        /**
         * With the trainer: when no version of the model name serves, publish this pretrained folder as its PROMOTED
         * version too (e.g. astropt-ztf, models/astropt-ztf-1m-starter, for the alerts), into the trainer's model store,
         * by the same rule as the trainer's own starter ({@link LocalStack#publishStarter(String, Path, ModelConfig)}).
         */
        Builder starter(String modelName, Path folder) {
            this.otherStarters.put(modelName, folder);
            return this;
        }

        /**
         * An alert topic the pipeline reads (e.g. astropt.alerts.ztf), created with the cutouts topic's settings when
         * missing, so alerts can be produced to it ({@code astropt produce --format raw}) from the start.
         */
        Builder alertTopic(String topic) {
            this.alertTopics.add(topic);
            return this;
        }

        /**
         * The demo's alert feed ({@link AlertFeed}): simulated packets of the writer's survey to this alert topic
         * ({@link #alertTopic}) at rate per second, limit in all, their truth in DATA/alerts-SURVEY/truth.csv, from
         * where the last run in this data folder stopped; labelFraction of them labelled from that truth on the labels
         * topic, as scanners would, for the alert model's heads ({@link AlertFeed}).
         */
        Builder alertFeed(String topic, org.astropt.stream.core.sim.AlertPacketWriter packets, double rate, long limit, double labelFraction) {
            this.alertPlan = new AlertPlan(topic, packets, rate, limit, labelFraction);
            return alertTopic(topic);
        }

        /** A read_committed tally of the output topics from the moment the stack starts. */
        Builder tally() {
            this.tally = true;
            return this;
        }

        /**
         * The demo's feed: real files, then synthetic cutouts from where the last run in this data folder stopped,
         * novelFraction of them novel objects (mergers, rings, lensed arcs) with their kind in the truth.
         */
        Builder feed(List<Path> realFiles, int size, double rate, long limit, double novelFraction) {
            this.feedPlan = new Feed(List.copyOf(realFiles), size, rate, limit, novelFraction);
            return this;
        }

        /** Starts what was asked for, in order; on a failure, what had started is closed again. */
        public LocalStack start() throws Exception {
            if (kafkaPort == null && externalKafka == null) throw new IllegalStateException("a local stack needs a broker: kafka(port) or kafka(bootstrap)");
            LocalStack stack = new LocalStack(data, topics);
            try {
                stack.startAll(this);
                return stack;
            } catch (Exception | Error e) {
                try {
                    stack.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }
    }

    private record Feed(List<Path> realFiles, int size, double rate, long limit, double novelFraction) {}

    private record AlertPlan(String topic, org.astropt.stream.core.sim.AlertPacketWriter packets, double rate, long limit, double labelFraction) {}

    private void startAll(Builder b) throws Exception {
        // One libtorch intra-op thread per caller, unless set: the trainer, the embed operator and the server
        // share this JVM (and the machine) with Kafka and Flink, and OpenMP threads spinning while a sibling
        // is descheduled slowed training many times over (docs/BENCHMARKS.md). Read when DJL's engine starts.
        boolean sharedLibtorch = b.trainerSettings != null || b.serverSettings != null;
        if (sharedLibtorch && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        Files.createDirectories(data);
        if (b.externalKafka != null) {
            kafkaClient = b.externalKafka;
        } else {
            kafka = started(LocalKafkaBroker.start(data.resolve("kafka"), b.kafkaPort, topics));
            kafkaClient = KafkaClientSettings.plaintext(kafka.bootstrapServers());
        }
        for (String topic : b.alertTopics) createLikeCutouts(topic); // before the pipeline looks for its inputs
        if (b.tally) tally = started(new StreamTally(kafkaClient, topics)); // before anything is sent
        if (b.backfill != null && b.pipeline == null) throw new IllegalStateException("a backfill runs beside the pipeline: pipeline(uiPort, settings) first");
        if (b.uiPort != null) {
            int slots = b.slots + (b.backfill != null ? b.pipeline.parallelism() : 0); // a backfill runs beside the pipeline
            flink = started(LocalFlink.start(b.uiPort, slots, b.flinkConf));
            if (b.pipeline != null) flink.submit(kafkaClient, topics, b.pipeline, "astropt pipeline");
            if (b.backfill != null) started(new BackfillRunner(kafkaClient, topics, b.pipeline, flink, data.resolve("backfill"), b.backfill));
        }
        if (b.serverSettings != null) server = started(ModelServer.start(b.serverSettings.withKafka(kafkaClient).withTopics(topics)));
        if (b.trainerSettings != null) {
            TrainerSettings settings = b.trainerSettings.at(kafkaClient.bootstrapServers()).withKafka(kafkaClient);
            trainers = started(new Trainers(settings, topics, b.listener));
            trainer = trainers.trainer(trainers.names().contains(settings.modelName()) ? settings.modelName() : trainers.names().get(0));
        }
        if (b.starter != null && servingModel().isEmpty()) starterPublished = publishStarter(b.starter);
        for (Map.Entry<String, Path> s : b.otherStarters.entrySet()) {
            if (trainer().catalog().serving(s.getKey()).isEmpty()) {
                startersPublished.put(s.getKey(), publishStarter(s.getKey(), s.getValue(), new ModelFolder(s.getValue()).verify(null, null)));
            }
        }
        if (b.alertPlan != null) {
            AlertPlan a = b.alertPlan;
            alertFeed = started(AlertFeed.start(kafkaClient, a.topic(), a.packets(), data, a.rate(), a.limit(),
                    topics.name(Topics.LABELS), a.labelFraction()));
        }
        if (b.feedPlan != null) {
            Feed f = b.feedPlan;
            feed = new DemoFeed(kafkaClient, topics.name(Topics.CUTOUTS), f.realFiles(),
                    new SyntheticSurvey(DemoFeed.SURVEY_SEED, f.size(), Long.MAX_VALUE).withNovelFraction(f.novelFraction()),
                    DemoFeed.nextIndex(data), f.rate(), f.limit());
            started.add(() -> {
                feed.stop();
                feed.saveNextIndex(data);
            });
            Thread thread = new Thread(feed, "astropt-demo-feed");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Creates a topic with the cutouts topic's partitions and settings (16 MB records) unless it exists. */
    private void createLikeCutouts(String topic) throws InterruptedException {
        TopicSpec cutouts = topics.spec(Topics.CUTOUTS);
        TopicSpec spec = new TopicSpec("alerts", topic, cutouts.partitions(), cutouts.replicationFactor(), cutouts.configs());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(kafkaClient.properties())) {
            admin.createTopics(List.of(spec.newTopic())).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("creating topic " + topic + " failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    private <T extends AutoCloseable> T started(T part) {
        started.add(part);
        return part;
    }

    public String bootstrapServers() { return kafkaClient.bootstrapServers(); }

    /** How the stack's clients connect to its broker. */
    public KafkaClientSettings kafkaClient() { return kafkaClient; }

    public Topics topics() { return topics; }

    public LocalFlink flink() { return required(flink, "Flink"); }

    public ModelServer server() { return required(server, "the model server"); }

    /**
     * The trainer of the stack's own model (trainer.model-name, or the first of trainer.models): the one the starter
     * and the first round are for.
     */
    public ContinuousTrainer trainer() { return required(trainer, "the trainer"); }

    /** Every model's trainer (the stack's own model's among them). */
    public Trainers trainers() { return required(trainers, "the trainer"); }

    StreamTally tally() { return required(tally, "the tally"); }

    DemoFeed feed() { return required(feed, "the feed"); }

    AlertFeed alertFeed() { return required(alertFeed, "the alert feed"); }

    /** Whether this stack feeds alerts. */
    boolean feedsAlerts() { return alertFeed != null; }

    private static <T> T required(T part, String what) {
        if (part == null) throw new IllegalStateException("this local stack was built without " + what);
        return part;
    }

    /** The version of the trainer's model that serves now, if any. */
    public Optional<ModelVersion> servingModel() { return trainer().catalog().serving(trainer().settings().modelName()); }

    /** The starter version this stack published when it started (no version served before), if it did. */
    Optional<ModelVersion> starterPublished() { return Optional.ofNullable(starterPublished); }

    /** The starter of this other model name this stack published when it started ({@link Builder#starter(String, Path)}), if it did. */
    Optional<ModelVersion> starterPublished(String modelName) { return Optional.ofNullable(startersPublished.get(modelName)); }

    /**
     * Publishes a pretrained model folder as the next version of the trainer's model, PROMOTED, so the
     * pipeline embeds with it and the trainer fine-tunes it. The folder's architecture must be the one the
     * trainer's preset makes for its bands (trainer.preset; patch and block size included), or it is refused
     * in one line naming both.
     */
    ModelVersion publishStarter(Path folder) throws IOException {
        return publishStarter(trainer().settings().modelName(), folder, checkStarter(folder, trainer().settings()));
    }

    /**
     * The one rule for a starter: a pretrained model folder (config already verified) becomes the next version of
     * the model name, PROMOTED: the folder is copied into the trainer's model store (under the sha256 of its
     * weights, as a round's candidate is) and its record, with the folder's metrics, goes through the model registry.
     */
    ModelVersion publishStarter(String name, Path folder, ModelConfig config) throws IOException {
        ContinuousTrainer t = trainer();
        URI stored = t.store().put(folder);
        ModelFolder inStore = new ModelFolder(t.store().open(stored));
        Map<String, Double> metrics = ModelFolder.recordMetrics(inStore.metrics());
        ModelVersion v = ModelVersion.newBuilder()
                .setName(name)
                .setVersion(t.catalog().nextVersion(name))
                .setArchitecture(ModelFolder.architecture(config))
                .setWeightsUri(ModelStore.weights(stored).toString())
                .setSha256(inStore.sha256())
                .setSizeBytes(Files.size(inStore.weights()))
                .setMetrics(metrics)
                .setParentVersion(null)
                .setStatus(ModelStatus.PROMOTED)
                .setCreatedTime(Instant.now())
                .setNote(metrics.containsKey(ModelFolder.HELD_OUT_LOSS)
                        ? String.format(java.util.Locale.ROOT, "the starter model %s: held-out loss %.5f in pretraining (docs/MODEL.md)",
                                folder.getFileName(), metrics.get(ModelFolder.HELD_OUT_LOSS))
                        : "the starter model " + folder.getFileName() + " (docs/MODEL.md)")
                .build();
        try (ModelRegistry registry = ModelRegistry.reading(kafkaClient, topics.name(Topics.MODELS), t.settings().transactionalId() + "-starter")) {
            registry.publish(List.of(v));
        }
        return v;
    }

    /**
     * The architecture of a starter folder, checked against what the trainer's preset makes for its bands; a
     * missing folder or another architecture is an IllegalArgumentException of one line naming both.
     */
    static ModelConfig checkStarter(Path folder, TrainerSettings trainer) {
        if (!Files.isRegularFile(folder.resolve(org.astropt.stream.core.model.Checkpoint.WEIGHTS_FILE))) {
            throw new IllegalArgumentException(folder + ": no starter model there (config.json and weights.safetensors);"
                    + " run from the repository root, or start from scratch (--from-scratch)");
        }
        ModelConfig config = new ModelFolder(folder).verify(null, null);
        ModelConfig trainerMakes = trainer.modelPreset().config().withChannels(config.nChan());
        if (!config.equals(trainerMakes)) {
            throw new IllegalArgumentException(folder + ": the starter is " + describe(config) + ", but trainer.preset "
                    + trainer.preset() + " makes " + describe(trainerMakes) + "; use the starter's preset or start from scratch (--from-scratch)");
        }
        return config;
    }

    private static String describe(ModelConfig c) {
        return c.nLayer() + " layers, " + c.nHead() + " heads, n_embd " + c.nEmbd() + ", " + c.nChan() + " bands, block "
                + c.blockSize() + ", patch " + c.patchSize();
    }

    /**
     * The first round: waits until the tally has seen records token records (the pipeline holds their
     * embeddings back meanwhile, in bounded state), then trains the initial model on them, synchronously.
     *
     * @return empty when stop came first or the feed failed
     */
    Optional<RoundResult> trainFirstRound(long records, CountDownLatch stop) throws Exception {
        while (tally().tokenized() < records) {
            if (stop.await(500, TimeUnit.MILLISECONDS)) return Optional.empty();
            if (feed != null && feed.failure() != null) return Optional.empty();
        }
        Optional<RoundResult> r = trainer().runRound();
        if (r.isEmpty()) throw new IllegalStateException("the first round found no token records to train on");
        return r;
    }

    /** Stops what started, in reverse order; every part is closed even when one fails (the first failure is thrown). */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        started.clear();
        if (failure != null) throw failure;
    }
}
