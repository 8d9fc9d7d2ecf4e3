package org.astropt.stream.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.core.sim.ZtfPacketWriter;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.server.ModelServer;
import org.astropt.stream.server.ServerSettings;
import org.astropt.stream.trainer.Trainers;
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
 * cutouts (some with artefacts, a few damaged), all started by {@link LocalStack}. With no model yet, the
 * starter model that ships in models/astropt-1m-starter (pretrained on a synthetic survey of another seed
 * than the feed's, docs/MODEL.md) is published as version 1, PROMOTED, before the first cutout, so the
 * stream embeds with it from the start; with --from-scratch the first round trains the initial one on the
 * first cutouts' tokens instead (progress shown). Then the trainer fine-tunes the serving version in
 * continuous mode. Beside the cutouts, simulated raw ZTF alert packets (schema from the real sample packet of
 * ../shared/data/real; without it, none) go to astropt.alerts.ztf at --alert-rate, their truth in
 * DATA/alerts-ztf/truth.csv; the alert starter models/astropt-ztf-1m-starter is published as astropt-ztf v1 and
 * the pipeline serves both models, each for its layout. Data stays under --data between runs. Ctrl-C (or
 * --duration, or --exit-when-done) shuts it all down. This class is the options and what the console shows.
 */
@Command(name = "demo", description = "Run the whole stack locally: Kafka, Flink pipeline, trainer, model server and dashboard, and a feed.")
final class DemoCommand implements Callable<Integer> {

    /**
     * Set when the run's summary is printed: a trainer round or backfill that ends while the stack stops (after
     * Ctrl-C) then goes to the log only, instead of printing below the summary. Errors still print.
     */
    private final AtomicBoolean summarised = new AtomicBoolean();

    @Option(names = "--rate", defaultValue = "20", paramLabel = "R", description = "Cutouts per second from the feed (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--preset", defaultValue = "1M", paramLabel = "P", description = "Size of the model the trainer makes"
            + " (default ${DEFAULT-VALUE}, the starter's; another size needs --from-scratch).")
    String preset;

    @Option(names = "--starter", defaultValue = "models/astropt-1m-starter", paramLabel = "DIR",
            description = "Pretrained model folder published as the first version when none serves (default ${DEFAULT-VALUE}).")
    Path starter;

    @Option(names = "--from-scratch", description = "With no model serving yet, train the first one on the stream's first"
            + " token records (--first-round-cutouts) instead of starting from the starter model.")
    boolean fromScratch;

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

    @Option(names = "--novel-fraction", defaultValue = "0.02", paramLabel = "F",
            description = "Share of synthetic cutouts that are novel objects (mergers, rings, lensed arcs), their kind in truth.novel;"
                    + " the trainer leaves them out (default ${DEFAULT-VALUE}).")
    double novelFraction;

    @Option(names = "--first-round-cutouts", defaultValue = "200", paramLabel = "N",
            description = "Token records the first model is trained on when none exists (default ${DEFAULT-VALUE}).")
    int firstRoundCutouts;

    @Option(names = "--truth-labels", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Let the trainer label the feed's objects from their synthetic truth when it fits a version's score heads"
                    + " (trainer.truth-labels; default ${DEFAULT-VALUE}), as well as from what people label on the dashboard."
                    + " --no-truth-labels: people's labels only.")
    boolean truthLabels;

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

    @Option(names = "--alert-rate", defaultValue = "2", paramLabel = "R",
            description = "Simulated raw ZTF alert packets per second to " + ZTF_ALERTS_TOPIC + ", beside the cutouts, their kind"
                    + " (real or bogus) in DATA/alerts-ztf/truth.csv; 0: none (default ${DEFAULT-VALUE}).")
    double alertRate;

    @Option(names = "--alert-labels", defaultValue = "0.3", paramLabel = "F",
            description = "Share of the simulated alerts that simulated scanners label real (normal) or bogus (artefact:<kind>) on"
                    + " astropt.labels, from their truth: what the trainer fits " + DemoAlerts.MODEL + "'s new versions' bogus heads on"
                    + " (default ${DEFAULT-VALUE}).")
    double alertLabels;

    /** Whether this run feeds simulated alerts, and so trains the alert model beside the galaxy model (trainer.models). */
    private boolean trainsAlerts;

    @Option(names = "--alert-starter", defaultValue = "models/astropt-ztf-1m-starter", paramLabel = "DIR",
            description = "Pretrained alert model published as " + DemoAlerts.MODEL + " version 1 when none serves (default ${DEFAULT-VALUE}).")
    Path alertStarter;

    @Option(names = "--config-dir", defaultValue = "config", paramLabel = "DIR", description = "Where the settings files are (default ${DEFAULT-VALUE}).")
    Path configDir;

    @Spec
    CommandSpec spec;

    /** With --exit-when-done: give up when no cutout was accounted for in this long after the feed ended. */
    static final long STALL_MS = 120_000;

    @Override
    public Integer call() throws Exception {
        if (exitWhenDone && cutouts == null) throw new IllegalArgumentException("--exit-when-done needs --cutouts N");
        if (rate <= 0) throw new IllegalArgumentException("--rate " + rate + ": must be positive");
        if (!(alertRate >= 0)) throw new IllegalArgumentException("--alert-rate " + alertRate + ": must be 0 (no alerts) or positive");
        if (!(novelFraction >= 0 && novelFraction <= 1)) {
            throw new IllegalArgumentException("--novel-fraction must be between 0 and 1, got " + novelFraction);
        }
        if (!(alertLabels >= 0 && alertLabels <= 1)) throw new IllegalArgumentException("--alert-labels " + alertLabels + ": must be between 0 and 1");
        Duration limit = duration == null ? null : SettingsFile.duration(duration);
        ZtfPacketWriter alertPackets = alertRate > 0 ? DemoAlerts.packets().orElse(null) : null;
        trainsAlerts = alertPackets != null;
        // A starter the trainer could not fine-tune is refused before anything starts.
        if (!fromScratch) LocalStack.checkStarter(starter, trainerSettings("localhost:9092"));
        DemoAlerts.checkStarter(alertStarter);
        PrintWriter out = spec.commandLine().getOut();
        Topics topics = Topics.of(SettingsFile.readIfPresent(configDir.resolve("topics.properties")));
        List<Path> real = noReal ? List.of() : DemoFeed.realFiles(DemoFeed.sharedFolder());

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
        out.printf("astropt demo: starting Kafka, Flink, the model server and the trainer (data in %s) ...%n", data);
        out.flush();
        LocalStack stack = null;
        try {
            LocalStack.Builder builder = LocalStack.builder(data, topics)
                    .kafka(kafkaPort)
                    .tally()
                    .pipeline(uiPort, pipelineSettings(topics))
                    .server(serverSettings().withBind("127.0.0.1", port))
                    .backfill(backfillConsole())
                    .trainer(this::trainerSettings, trainerConsole())
                    .starter(fromScratch ? null : starter)
                    .starter(DemoAlerts.MODEL, alertStarter)
                    .alertTopic(ZTF_ALERTS_TOPIC)
                    .feed(real, size, rate, cutouts == null ? Long.MAX_VALUE : cutouts, novelFraction);
            if (alertPackets != null) builder.alertFeed(ZTF_ALERTS_TOPIC, alertPackets, alertRate, Long.MAX_VALUE, alertLabels);
            stack = builder.start();
            out.printf(Locale.ROOT, "  dashboard      %s%n", stack.server().uri());
            out.printf(Locale.ROOT, "  Flink web UI   %s%n", stack.flink().webUi());
            out.printf(Locale.ROOT, "  Kafka          %s%n", stack.bootstrapServers());
            out.printf(Locale.ROOT, "feeding %d real files, then synthetic %dx%d grz cutouts at %.0f/s%s; %s%n", real.size(), size, size, rate,
                    cutouts == null ? "" : ", " + cutouts + " in all", exitWhenDone ? "ends when every cutout is accounted for" : "Ctrl-C stops");
            out.println(DemoAlerts.feedLine(stack, alertRate, data));
            out.flush();

            firstRound(stack, out, stop);
            stack.trainers().start();
            awaitEnd(stack, limit, stop, out);
            return summary(stack, out, stop);
        } finally {
            if (stop.getCount() == 0) {
                out.println("stopping the stack ...");
                out.flush();
            }
            try {
                if (stack != null) stack.close();
            } catch (Exception e) {
                spec.commandLine().getErr().println("astropt demo: while shutting down: " + e);
            }
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is on its way out already
            }
        }
    }

    /**
     * Says what the stream starts with: the starter the stack just published, the version that served before,
     * or (--from-scratch, nothing serving) a first round trained on the stream's first token records.
     */
    private void firstRound(LocalStack stack, PrintWriter out, CountDownLatch stop) throws Exception {
        stack.starterPublished(DemoAlerts.MODEL).ifPresent(v -> out.println(DemoAlerts.starterLine(v, alertStarter)));
        var starterVersion = stack.starterPublished();
        if (starterVersion.isPresent()) {
            out.println(starterPublication(starterVersion.get(), starter, retrainEvery));
            out.flush();
            return;
        }
        var serving = stack.servingModel();
        if (serving.isPresent()) {
            out.printf("model %s v%d serves; the trainer fine-tunes it every %d new token records%n",
                    serving.get().getName(), serving.get().getVersion(), retrainEvery);
            out.flush();
            return;
        }
        long want = cutouts == null ? firstRoundCutouts : Math.min(firstRoundCutouts, Math.max(1, cutouts / 2));
        out.printf("no model yet: the first round trains one on the first %d token records, then the stream uses it%n", want);
        out.flush();
        stack.trainFirstRound(want, stop);
    }

    /** The console line of a published starter: version, folder, its held-out loss, and what happens next. */
    static String starterPublication(org.astropt.stream.schemas.ModelVersion v, Path folder, long retrainEvery) {
        Double loss = v.getMetrics().entrySet().stream().filter(e -> e.getKey().toString().equals(
                org.astropt.stream.core.model.ModelFolder.HELD_OUT_LOSS)).map(Map.Entry::getValue).findFirst().orElse(null);
        return String.format(Locale.ROOT, "model %s v%d PROMOTED: the starter model %s (pretrained%s); the stream embeds with it"
                        + " from the first cutout, the trainer fine-tunes it every %d new token records",
                v.getName(), v.getVersion(), folder, loss == null ? "" : String.format(Locale.ROOT, ", held-out loss %.4f", loss), retrainEvery);
    }

    /** Until Ctrl-C, --duration, or (--exit-when-done) every cutout accounted for or none for STALL_MS. */
    private void awaitEnd(LocalStack stack, Duration limit, CountDownLatch stop, PrintWriter out) throws InterruptedException {
        long deadline = limit == null ? Long.MAX_VALUE : System.currentTimeMillis() + limit.toMillis();
        int unaccounted = -1;
        long lastProgress = System.currentTimeMillis();
        long nextAlertLine = System.currentTimeMillis() + DemoAlerts.PROGRESS_MS;
        String lastAlertLine = null;
        while (!stop.await(1, TimeUnit.SECONDS)) {
            DemoFeed feed = stack.feed();
            if (feed.failure() != null) throw new IllegalStateException("the feed failed: " + feed.failure(), feed.failure());
            if (stack.feedsAlerts() && stack.alertFeed().failure() != null) {
                throw new IllegalStateException("the alert feed failed: " + stack.alertFeed().failure(), stack.alertFeed().failure());
            }
            if (stack.feedsAlerts() && System.currentTimeMillis() >= nextAlertLine) {
                nextAlertLine += DemoAlerts.PROGRESS_MS;
                String line = DemoAlerts.progress(stack);
                if (!line.equals(lastAlertLine)) {
                    out.println(line);
                    out.flush();
                    lastAlertLine = line;
                }
            }
            if (System.currentTimeMillis() >= deadline) return;
            if (!exitWhenDone || !feed.done()) continue;
            int missing = stack.tally().unaccounted(feed.ids()).size();
            if (missing == 0) return;
            if (missing != unaccounted) {
                unaccounted = missing;
                lastProgress = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - lastProgress > STALL_MS) {
                out.printf("no cutout accounted for in %d s: giving up%n", STALL_MS / 1000);
                return;
            }
        }
    }

    /** Prints the run's summary (and one neighbour query); with --exit-when-done, 1 unless every cutout is accounted for and a version was promoted. */
    private int summary(LocalStack stack, PrintWriter out, CountDownLatch stop) throws InterruptedException {
        summarised.set(true);
        DemoFeed feed = stack.feed();
        for (String refused : feed.refused()) out.println("feed: Kafka refused " + refused);
        StreamTally.Summary summary = stack.tally().summary(feed.sent() - feed.refused().size());
        out.printf("%nsummary of this run%n%s", summary.render());
        if (stack.feedsAlerts()) out.println(DemoAlerts.progress(stack));
        String example = stack.tally().anyEmbedded(feed.ids()); // a galaxy: the alerts are the alert model's space
        if (example != null && stop.getCount() > 0) out.println(askForNeighbours(stack.server(), example));
        out.flush();
        if (exitWhenDone) {
            List<String> missing = stack.tally().unaccounted(feed.ids());
            if (!missing.isEmpty() || summary.promoted() == 0) {
                spec.commandLine().getErr().printf("astropt demo: %d cutouts not accounted for (%s), %d versions promoted%n",
                        missing.size(), String.join(", ", missing.subList(0, Math.min(5, missing.size()))), summary.promoted());
                return 1;
            }
        }
        return 0;
    }

    /**
     * Training progress of the galaxy model (a bar on a terminal, lines elsewhere) on stderr; one line per published
     * version of every model on stdout.
     */
    private Trainers.Listener trainerConsole() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        TrainerSettings settings = trainerSettings("localhost:" + kafkaPort);
        int every = Math.max(1, settings.stepsPerRound() / 20);
        ProgressLog progress = new ProgressLog(spec.commandLine().getErr(), System.console() != null, every);
        return new Trainers.Listener() {
            @Override
            public void progress(String model, long round, Trainer.Progress p) {
                if (model.equals(settings.modelName()) && !summarised.get()) progress.progress(round, p);
            }

            @Override
            public void published(String model, RoundResult r) {
                if (summarised.get()) return;
                out.println(publication(model, r));
                out.flush();
            }
        };
    }

    /** One line when a backfill starts, ends, or is superseded by a newer version. */
    private BackfillRunner.Listener backfillConsole() {
        PrintWriter out = spec.commandLine().getOut();
        return new BackfillRunner.Listener() {
            @Override
            public void started(org.astropt.stream.schemas.ModelVersion v) {
                if (summarised.get()) return;
                out.printf(Locale.ROOT, "backfill %s v%d started: re-embedding the token topic; /similar and the map move to v%d at %.0f%% coverage%n",
                        v.getName(), v.getVersion(), v.getVersion(), 100 * serverSwitchCoverage());
                out.flush();
            }

            @Override
            public void completed(org.astropt.stream.schemas.ModelVersion v, long objects, Duration took) {
                if (summarised.get()) return;
                out.printf(Locale.ROOT, "backfill %s v%d done: %d objects in %d s%n", v.getName(), v.getVersion(), objects, took.toSeconds());
                out.flush();
            }

            @Override
            public void superseded(org.astropt.stream.schemas.ModelVersion v, org.astropt.stream.schemas.ModelVersion by) {
                if (summarised.get()) return;
                out.printf(Locale.ROOT, "backfill %s v%d cancelled: v%d serves now%n", v.getName(), v.getVersion(), by.getVersion());
                out.flush();
            }

            @Override
            public void failed(org.astropt.stream.schemas.ModelVersion v, Throwable cause) {
                out.printf(Locale.ROOT, "backfill %s v%d failed (the log has why): %s%n", v.getName(), v.getVersion(), String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
                out.flush();
            }
        };
    }

    private double serverSwitchCoverage() {
        try {
            return serverSettings().switchCoverage();
        } catch (IOException e) {
            return ServerSettings.DEFAULT_SWITCH_COVERAGE;
        }
    }

    /** e.g. {@code model astropt v2 PROMOTED: held-out loss 0.2900 against 0.2934 of v1 (round 2)}. */
    static String publication(String model, RoundResult r) {
        String against = r.promotedVersion() == null ? "; no version served before"
                : String.format(Locale.ROOT, " against %.4f of v%d", r.promotedHeldOutLoss(), r.promotedVersion());
        return String.format(Locale.ROOT, "model %s v%d %s: held-out loss %.4f%s (round %d)", model, r.version(), r.status(),
                r.heldOutLoss(), against, r.round());
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
                    StringBuilder b = new StringBuilder("GET /similar/" + id + "?k=5 -> " + json.path("neighbours").size() + " neighbours"
                            + String.format(Locale.ROOT, " (searched %s, %.0f%% of the embedded objects):", json.path("version").asText(),
                                    100 * json.path("coverage").asDouble()));
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

    /** The ZTF alert topic the demo reads beside the cutouts (format ztf-alert) unless pipeline.inputs says otherwise. */
    static final String ZTF_ALERTS_TOPIC = "astropt.alerts.ztf";

    private PipelineSettings pipelineSettings(Topics topics) throws IOException {
        // The demo's first model is a version on the models topic (the starter it publishes, or its first round),
        // never the settings file's initial model: every embedding then names a version of the registry.
        SettingsFile file = SettingsFile.readIfPresent(configDir.resolve("pipeline.properties"));
        Map<String, String> overrides = new LinkedHashMap<>(Map.of(
                PipelineSettings.INITIAL_MODEL, "",
                "pipeline.checkpoint-dir", data.resolve("checkpoints").toAbsolutePath().toUri().toString()));
        overrides.put("pipeline.model-name", "");
        overrides.put("pipeline.model-names", DemoAlerts.modelNames(file, trainerSettings("localhost:" + kafkaPort).modelName()));
        if (file.string(PipelineSettings.INPUTS, null) == null) {
            // the alert topic as a pattern: read from its start once it exists (found within pipeline.partition-discovery-ms)
            overrides.put(PipelineSettings.INPUTS, topics.name(Topics.CUTOUTS) + "=cutout, /"
                    + java.util.regex.Pattern.quote(ZTF_ALERTS_TOPIC) + "/=ztf-alert");
        }
        return PipelineSettings.of(file.with(overrides));
    }

    private ServerSettings serverSettings() throws IOException {
        return ServerSettings.of(SettingsFile.readIfPresent(configDir.resolve("server.properties")));
    }

    private TrainerSettings trainerSettings(String bootstrap) throws IOException {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("trainer.bootstrap-servers", bootstrap);
        o.put("trainer.model-store", "file:" + data.resolve("models").toAbsolutePath());
        o.put("trainer.state-dir", data.resolve("trainer").toString());
        o.put("trainer.preset", preset);
        o.put("trainer.every", String.valueOf(retrainEvery));
        if (steps != null) o.put("trainer.steps-per-round", String.valueOf(steps));
        o.put("trainer.truth-labels", String.valueOf(truthLabels));
        if (trainsAlerts) { // the galaxy model and the alert model, each from the records of its layout on the one token topic
            SettingsFile file = SettingsFile.readIfPresent(configDir.resolve("trainer.properties"));
            if (file.string("trainer.models", "").isBlank()) {
                o.put("trainer.models", file.string("trainer.model-name", "astropt") + "=" + InputLayout.GRZ_CUTOUT.id()
                        + ", " + DemoAlerts.MODEL + "=" + InputLayout.ALERT_TRIPLET.id());
            }
        }
        return TrainerSettings.of(SettingsFile.readIfPresent(configDir.resolve("trainer.properties")).with(o, SettingsFile.COMMAND_LINE));
    }
}
