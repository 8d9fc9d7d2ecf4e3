package org.astropt.stream.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.server.ModelServer;
import org.astropt.stream.server.ServerSettings;
import org.astropt.stream.trainer.ContinuousTrainer;
import org.astropt.stream.trainer.ProgressLog;
import org.astropt.stream.trainer.RoundResult;
import org.astropt.stream.trainer.TrainerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code astropt demo}: the whole stack in this process. An in-process Kafka broker (KRaft) with the
 * topics of config/topics.properties; a Flink mini cluster with its web UI running the pipeline job; the
 * model server with its dashboard; the trainer; and a feed of the real sample files and synthetic survey
 * cutouts (some with artefacts, a few damaged). With no model yet, the first cutouts' tokens train one
 * (a short round, progress shown), which the pipeline picks up; then the trainer runs in continuous mode.
 * Data stays under --data between runs. Ctrl-C (or --duration, or --exit-when-done) shuts it all down.
 */
@Command(name = "demo", description = "Run the whole stack locally: Kafka, Flink pipeline, trainer, model server and dashboard, and a feed.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "20", paramLabel = "R", description = "Cutouts per second from the feed (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--preset", defaultValue = "1M", paramLabel = "P",
            description = "Size of the model the trainer makes (default ${DEFAULT-VALUE}; 1M trains on a CPU in seconds).")
    String preset;

    @Option(names = "--duration", paramLabel = "D", description = "Stop after this long (e.g. 10m, 90s; default: until Ctrl-C).")
    String duration;

    @Option(names = "--cutouts", paramLabel = "N", description = "Feed N cutouts, then stop feeding (default: no limit).")
    Long cutouts;

    @Option(names = "--exit-when-done", description = "With --cutouts: once every cutout is embedded or dead-lettered, print a summary and exit.")
    boolean exitWhenDone;

    @Option(names = "--data", defaultValue = "data", paramLabel = "DIR", description = "Where Kafka, models and trainer state live between runs (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PIXELS", description = "Side of the synthetic cutouts (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--bootstrap-cutouts", defaultValue = "200", paramLabel = "N",
            description = "Token records the first model is trained on when none exists (default ${DEFAULT-VALUE}).")
    int bootstrapCutouts;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps per training round (default: trainer.steps-per-round).")
    Integer steps;

    @Option(names = "--retrain-every", defaultValue = "2000", paramLabel = "N",
            description = "New token records that start a fine-tuning round (default ${DEFAULT-VALUE}).")
    long retrainEvery;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "PORT", description = "Broker port on localhost; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--ui-port", defaultValue = "8081", paramLabel = "PORT", description = "Flink web UI port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int uiPort;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "Model server and dashboard port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--no-real", description = "Leave out the real sample files of ../shared/data/real.")
    boolean noReal;

    @Option(names = "--config-dir", defaultValue = "config", paramLabel = "DIR", description = "Where the settings files are (default ${DEFAULT-VALUE}).")
    Path configDir;

    @Spec
    CommandSpec spec;

    /** Where the feed goes on in the synthetic survey on the next run, so object ids do not repeat. */
    static final String FEED_STATE = "demo-feed.properties";
    static final long SURVEY_SEED = 2;
    /** With --exit-when-done: give up when no cutout was accounted for in this long after the feed ended. */
    static final long STALL_MS = 120_000;

    @Override
    public Integer call() throws Exception {
        if (exitWhenDone && cutouts == null) throw new IllegalArgumentException("--exit-when-done needs --cutouts N");
        // One libtorch intra-op thread per caller, unless set: the trainer, the embed operator and the server
        // share this JVM (and the machine) with Kafka and Flink, and OpenMP threads spinning while a sibling
        // was descheduled made the first training round ~15 times slower (250 against ~3,500 tokens/s).
        // Read when DJL's engine starts, which has not happened yet.
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        if (rate <= 0) throw new IllegalArgumentException("--rate " + rate + ": must be positive");
        Duration limit = duration == null ? null : TrainerSettings.duration(duration);
        PrintWriter out = spec.commandLine().getOut();
        Files.createDirectories(data);
        Topics topics = Files.exists(configDir.resolve("topics.properties")) ? Topics.load(configDir.resolve("topics.properties")) : Topics.defaults();

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C: tell the main thread to stop, then hold the JVM until it has shut everything down in order.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "astropt-demo-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        Stack stack = new Stack();
        try {
            out.printf("starting Kafka (KRaft, in-process) with its data in %s ...%n", data.resolve("kafka"));
            out.flush();
            stack.kafka = LocalKafkaBroker.start(data.resolve("kafka"), kafkaPort, topics);
            String bootstrap = stack.kafka.bootstrapServers();
            stack.tally = new StreamTally(bootstrap, topics);

            PipelineSettings pipeline = pipelineSettings();
            stack.flink = LocalFlink.start(uiPort, pipeline.parallelism());
            stack.flink.submit(bootstrap, topics, pipeline);

            ServerSettings server = (Files.exists(configDir.resolve("server.properties"))
                    ? ServerSettings.load(configDir.resolve("server.properties")) : ServerSettings.defaults())
                    .withBootstrap(bootstrap).withBind("127.0.0.1", port).withTopics(topics);
            stack.server = ModelServer.start(server);

            TrainerSettings trainerSettings = trainerSettings(bootstrap);
            ProgressLog progress = new ProgressLog(spec.commandLine().getErr(), System.console() != null,
                    Math.max(1, trainerSettings.stepsPerRound() / 20));
            stack.trainer = new ContinuousTrainer(trainerSettings, topics, progress);

            long firstIndex = nextFeedIndex();
            SyntheticSurvey survey = new SyntheticSurvey(SURVEY_SEED, size, Long.MAX_VALUE);
            var real = noReal ? java.util.List.<Path>of() : DemoFeed.realFiles(DemoFeed.sharedFolder());
            stack.feed = new DemoFeed(bootstrap, topics.name(Topics.CUTOUTS), real, survey, firstIndex, rate,
                    cutouts == null ? Long.MAX_VALUE : cutouts);
            Thread feedThread = new Thread(stack.feed, "astropt-demo-feed");
            feedThread.setDaemon(true);
            feedThread.start();

            out.printf(Locale.ROOT, "%nastropt demo is running:%n");
            out.printf(Locale.ROOT, "  dashboard        %s%n", stack.server.uri());
            out.printf(Locale.ROOT, "  Flink web UI     %s%n", stack.flink.webUi());
            out.printf(Locale.ROOT, "  Kafka            %s (topics %s, ...)%n", bootstrap, topics.name(Topics.CUTOUTS));
            out.printf(Locale.ROOT, "  feed             %d real files, then synthetic %dx%d grz cutouts from index %d at %.0f/s%s%n",
                    real.size(), size, size, firstIndex, rate, cutouts == null ? "" : ", " + cutouts + " in all");
            out.printf(Locale.ROOT, "  models           %s, trainer state %s%n", trainerSettings.modelStore(), trainerSettings.stateDir());
            out.printf(Locale.ROOT, "  try              curl %s   |   bin/astropt models list --bootstrap %s%n",
                    stack.server.uri().resolve("models"), bootstrap);
            out.println(exitWhenDone ? "runs until every cutout is accounted for" : "Ctrl-C stops everything");
            out.flush();

            bootstrapModel(stack, topics, out, stop);
            stack.trainer.start();

            long deadline = limit == null ? Long.MAX_VALUE : System.currentTimeMillis() + limit.toMillis();
            int unaccounted = -1;
            long lastProgress = System.currentTimeMillis();
            while (!stop.await(1, TimeUnit.SECONDS)) {
                if (stack.feed.failure() != null) throw new IllegalStateException("the feed failed: " + stack.feed.failure(), stack.feed.failure());
                if (System.currentTimeMillis() >= deadline) break;
                if (!exitWhenDone || feedThread.getState() != Thread.State.TERMINATED) continue;
                int missing = stack.tally.unaccounted(stack.feed.ids()).size();
                if (missing == 0) break;
                if (missing != unaccounted) {
                    unaccounted = missing;
                    lastProgress = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastProgress > STALL_MS) {
                    out.printf("no cutout accounted for in %d s: giving up%n", STALL_MS / 1000);
                    break;
                }
            }
            saveFeedIndex(firstIndex, stack.feed);
            for (String refused : stack.feed.refused()) out.println("feed: Kafka refused " + refused);
            StreamTally.Summary summary = stack.tally.summary(stack.feed.sent() - stack.feed.refused().size());
            out.printf("%nsummary of this run%n%s", summary.render());
            String example = stack.tally.anyEmbedded();
            if (example != null && stop.getCount() > 0) out.println(askForNeighbours(stack.server, example));
            out.flush();
            if (exitWhenDone) {
                List<String> missing = stack.tally.unaccounted(stack.feed.ids());
                if (!missing.isEmpty() || summary.promoted() == 0) {
                    spec.commandLine().getErr().printf("astropt demo: %d cutouts not accounted for (%s), %d versions promoted%n",
                            missing.size(), String.join(", ", missing.subList(0, Math.min(5, missing.size()))), summary.promoted());
                    return 1;
                }
            }
            return 0;
        } finally {
            stack.close(out);
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is on its way out already
            }
        }
    }

    /**
     * With no PROMOTED version on the models topic, trains the first one from the first token records
     * (the pipeline holds their embeddings back meanwhile, in bounded state) and waits for the stream to use it.
     */
    private void bootstrapModel(Stack stack, Topics topics, PrintWriter out, CountDownLatch stop) throws Exception {
        TrainerSettings s = stack.trainer.settings();
        Optional<ModelVersion> promoted = ModelRegistry.read(s.bootstrapServers(), topics.name(Topics.MODELS)).serving(s.modelName());
        if (promoted.isPresent()) {
            out.printf("model %s: version %d serves; the trainer fine-tunes it as new tokens arrive%n", s.modelName(),
                    promoted.get().getVersion());
            out.flush();
            return;
        }
        long want = cutouts == null ? bootstrapCutouts : Math.min(bootstrapCutouts, Math.max(1, cutouts / 2));
        out.printf("no model yet: the first one trains on the first %d token records (progress below), then the stream uses it%n", want);
        out.flush();
        while (stack.tally.tokenized() < want) {
            if (stop.await(500, TimeUnit.MILLISECONDS)) return;
            if (stack.feed.failure() != null) return;
        }
        Optional<RoundResult> r = stack.trainer.runRound();
        if (r.isEmpty()) throw new IllegalStateException("the bootstrap round found no token records to train on");
        out.printf(Locale.ROOT, "first model: %s v%d %s, held-out loss %.4f%n", s.modelName(), r.get().version(), r.get().status(),
                r.get().heldOutLoss());
        out.flush();
    }

    /**
     * The model server's answer for one embedded id, as a user would ask it: what the demo shows last, and
     * what its test checks. The server is given a few seconds to read the last embeddings.
     */
    static String askForNeighbours(ModelServer server, String id) throws InterruptedException {
        String path = "/similar/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8) + "?k=5";
        var client = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(10)).build();
        String last = "no answer";
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
                    StringBuilder b = new StringBuilder("GET /similar/" + id + "?k=5 -> " + json.path("neighbours").size() + " neighbours:");
                    for (var n : json.path("neighbours")) {
                        b.append(String.format(Locale.ROOT, " %s (%.3f)", n.path("id").asText(), n.path("similarity").asDouble()));
                    }
                    return b.toString();
                }
                last = "HTTP " + response.statusCode() + " " + response.body();
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        return "GET " + path + " failed: " + last;
    }

    private PipelineSettings pipelineSettings() throws IOException {
        Path file = configDir.resolve("pipeline.properties");
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file)) {
                p.load(in);
            }
        }
        p.setProperty("pipeline.bootstrap-model", ""); // the demo's first model comes from its own trainer
        p.setProperty("pipeline.checkpoint-dir", data.resolve("checkpoints").toAbsolutePath().toUri().toString());
        return PipelineSettings.of(p);
    }

    private TrainerSettings trainerSettings(String bootstrap) throws IOException {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("trainer.bootstrap-servers", bootstrap);
        o.put("trainer.model-store", "file:" + data.resolve("models").toAbsolutePath());
        o.put("trainer.state-dir", data.resolve("trainer").toString());
        o.put("trainer.preset", preset);
        o.put("trainer.every", String.valueOf(retrainEvery));
        if (steps != null) o.put("trainer.steps-per-round", String.valueOf(steps));
        Path file = configDir.resolve("trainer.properties");
        return TrainerSettings.load(Files.exists(file) ? file : null, o);
    }

    private long nextFeedIndex() throws IOException {
        Path file = data.resolve(FEED_STATE);
        if (!Files.exists(file)) return 0;
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return Long.parseLong(p.getProperty("next-index", "0"));
    }

    private void saveFeedIndex(long firstIndex, DemoFeed feed) throws IOException {
        Properties p = new Properties();
        p.setProperty("next-index", String.valueOf(firstIndex + feed.sent()));
        try (var w = Files.newBufferedWriter(data.resolve(FEED_STATE))) {
            p.store(w, "astropt demo: where the synthetic feed goes on");
        }
    }

    /** Everything the demo started, closed in reverse order. */
    private static final class Stack {
        LocalKafkaBroker kafka;
        StreamTally tally;
        LocalFlink flink;
        ModelServer server;
        ContinuousTrainer trainer;
        DemoFeed feed;

        void close(PrintWriter out) {
            out.println("shutting down: feed, trainer, model server, Flink, Kafka");
            out.flush();
            if (feed != null) feed.stop();
            closeQuietly(trainer);
            closeQuietly(server);
            closeQuietly(flink);
            closeQuietly(tally);
            closeQuietly(kafka);
        }

        private static void closeQuietly(AutoCloseable c) {
            if (c == null) return;
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("astropt demo: while shutting down " + c.getClass().getSimpleName() + ": " + e);
            }
        }
    }
}
