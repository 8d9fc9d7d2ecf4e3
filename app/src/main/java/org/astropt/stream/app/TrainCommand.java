package org.astropt.stream.app;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.astropt.stream.core.decode.AlertStamp;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.ProgressBar;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.model.TrainLog;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.trainer.ContinuousTrainer;
import org.astropt.stream.trainer.ProgressLog;
import org.astropt.stream.trainer.RoundResult;
import org.astropt.stream.trainer.TrainerSettings;
import org.astropt.stream.trainer.Trainers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code astropt train (--data DIR | --simulate N) --preset 1M --steps N --out MODEL_DIR}: trains an
 * AstroPT network from scratch as the reference does (Huber loss, AdamW, clip 1.0, warm-up then
 * cosine decay to lr/10) and writes a model folder: config.json, weights.safetensors and
 * train-log.csv (step, lr, loss, val_loss, tokens_per_s, elapsed_s; step 0 is the untrained model).
 *
 * With {@code --bootstrap HOST:PORT} it is the trainer service instead (docs/TRAINER.md): a round on the
 * token topic, published to the models topic; {@code --continuous} keeps going.
 *
 * <pre>
 *   bin/astropt train --bootstrap localhost:9092 --continuous --every 10000 --max-wait 10m
 *   bin/astropt train --simulate 2000 --preset 1M --steps 300 --out models/sim-1m
 *   bin/astropt train --data data/sim --preset 5M --steps 3000 --batch 32 --accumulation 4 --out models/sim-5m
 * </pre>
 */
@Command(name = "train", description = {
        "Train an AstroPT model on cutouts or token files and write a model folder: "
                + "config.json, weights.safetensors, train-log.csv.",
        "Validation objects are picked by a hash of their id, so the split is the same in every run."})
final class TrainCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--data", paramLabel = "DIR", required = true, description =
                "Folder of cutouts (anything the decoder reads: FITS, PNG, JPEG, alerts) or .npy token files; "
                        + "one file per object id (.npy before FITS before other images).")
        Path data;

        @Option(names = "--simulate", paramLabel = "N", required = true,
                description = "Train on N synthetic galaxies made in memory (astropt simulate's survey).")
        Long simulate;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description =
                "Train from the token topic of this Kafka and publish model versions to the models topic (the trainer "
                        + "service, docs/TRAINER.md): one round, or rounds for ever with --continuous.")
        String bootstrap;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--layout", defaultValue = "grz-cutout", paramLabel = "LAYOUT",
            description = "What the model reads: grz-cutout (galaxy cutouts, default) or alert-triplet (alert packets in --data as"
                    + " science, template and difference, patches of tokenizer.alert-triplet.patch-size, 8 px by default).")
    String layout;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "Model size: 1M, 5M, 12M, 21M, 89M, 309M, 830M, 2.1B (default 1M; with --bootstrap trainer.preset).")
    String preset;

    @Option(names = "--steps", paramLabel = "N",
            description = "Optimizer steps (default 300; with --bootstrap steps per round, trainer.steps-per-round, 0 for one pass).")
    Integer steps;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PIXELS",
            description = "Crop side for cutouts (and of simulated galaxies): 64 px = 16 tokens (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences per micro-batch: enough rows for efficient matrix"
            + " products on a CPU (default 32; with --bootstrap trainer.batch-size).")
    Integer batch;

    @Option(names = "--accumulation", defaultValue = "1", paramLabel = "A",
            description = "Micro-batches per step; the paper's 320 galaxies per step is e.g. --batch 32 --accumulation 10 (default ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: the preset's, 1e-3 for 1M).")
    Double lr;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up steps (default: 5%% of the steps).")
    Integer warmup;

    @Option(names = "--val-fraction", paramLabel = "F",
            description = "Share of objects held out for the validation loss (default 0.05; with --bootstrap trainer.held-out-fraction).")
    Double valFraction;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between validation losses (default: a tenth of the steps).")
    Integer evalEvery;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Seeds the weights, the batch order and the simulated survey (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "MODEL_DIR", description = "Model folder to write (with --data or --simulate).")
    Path out;

    @Option(names = "--continuous", description = "With --bootstrap: a fine-tuning round every --every records or --max-wait, until Ctrl-C.")
    boolean continuous;

    @Option(names = "--every", paramLabel = "N", description = "New token records that start a round (default: trainer.every, 10000).")
    Long every;

    @Option(names = "--max-wait", paramLabel = "DURATION",
            description = "Longest wait for a round while records are new, e.g. 30s, 10m (default: trainer.max-wait, 10m).")
    String maxWait;

    @Option(names = "--stamp", paramLabel = "STAMP",
            description = "Alert stamp that becomes the cutout: ${COMPLETION-CANDIDATES} (default: the settings', SCIENCE).")
    AlertStamp stamp;

    /** --config (the settings file: trainer.*, and decode.* and tokenizer.* for cutouts), --topics, --store... */
    @Mixin
    TrainerOptions trainer;

    @Spec
    CommandSpec spec;

    /** Validation batches per evaluation, at most: 20 x 32 sequences give a steady loss. */
    static final int EVAL_BATCHES = 20;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (source.bootstrap != null) return fromKafka();
        if (out == null) throw new IllegalArgumentException("--out MODEL_DIR is required with --data or --simulate");
        if (continuous || every != null || maxWait != null) {
            throw new IllegalArgumentException("--continuous, --every and --max-wait go with --bootstrap");
        }
        String preset = this.preset != null ? this.preset : "1M";
        int steps = this.steps != null ? this.steps : 300;
        int batch = this.batch != null ? this.batch : 32;
        double valFraction = this.valFraction != null ? this.valFraction : 0.05;
        checkArguments(steps, batch, valFraction);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        ModelConfig.Preset p = ModelConfig.preset(preset);
        ConfigOptions config = ConfigOptions.of(trainer.settingsFile(), stamp);
        InputLayout inputLayout = InputLayout.of(layout);
        boolean alerts = inputLayout == InputLayout.ALERT_TRIPLET;
        if (alerts && source.data == null) throw new IllegalArgumentException("--layout alert-triplet trains on alert packets: give --data DIR");
        TokenizerSettings tokenizing = alerts ? config.config().alertTripletTokenizerSettings() : config.config().tokenizerSettings().withSize(size);
        PatchTokenizer tokenizer = new PatchTokenizer(tokenizing);
        SequenceReader reader = alerts ? SequenceReader.alertTriplets(config.decoder(List.of(source.data)), new AlertTripletTokenizer(tokenizing))
                : new SequenceReader(config.decoder(), tokenizer);
        TrainingData data = source.data != null
                ? TrainingData.read(source.data, reader, skipped -> stderr.println("astropt: skipped " + skipped))
                : TrainingData.simulate(source.simulate, size, seed, tokenizer);
        ModelConfig modelConfig = p.config().forTokens(inputLayout, tokenizing.patchSize(), data.tokenDim(), data.source());
        Trainer.Split split = Trainer.Split.byId(data.ids(), data.sequences(), valFraction, seed);
        double peak = lr != null ? lr : p.learningRate();
        Trainer.Settings settings = new Trainer.Settings(batch, accumulation, steps,
                LrSchedule.of(peak, warmup != null ? warmup : steps / 20, steps), 1.0, AdamW.Settings.ASTROPT,
                evalEvery != null ? evalEvery : Math.max(1, steps / 10), EVAL_BATCHES);

        Files.createDirectories(out);
        Path logFile = out.resolve(TrainingLog.FILE);
        try (AstroPTModel model = AstroPTModel.create(modelConfig, AstroPTModel.defaultDevice(), seed);
             Trainer trainer = new Trainer(model, settings);
             TrainingLog log = new TrainingLog(logFile)) {
            stdout.printf(Locale.ROOT, "training %s (%,d parameters, %d bands) on %s: %d sequences of %s, %d train / %d validation;"
                            + " %d steps of %d x %d, peak lr %.1e, on %s%n", p.name(), model.parameterCount(),
                    modelConfig.nChan(), data.source(), data.sequences().size(), data.lengths(), split.train().size(),
                    split.validation().size(), steps, batch, accumulation, peak, model.device());
            stdout.flush();
            float before = trainer.evaluate(split.validation());
            log.untrained(before);
            stdout.printf(Locale.ROOT, "validation loss before training %.4f%n", before);
            stdout.flush();
            ProgressBar bar = new ProgressBar(stderr, System.console() != null, Math.max(1, steps / 30));
            Trainer.Progress last = trainer.run(split.train(), split.validation(), progress -> {
                bar.accept(progress);
                log.accept(progress);
            });
            Checkpoint.save(model, out, Safetensors.Dtype.F32);
            // what /similar and the map standardise this model's embeddings with
            Optional<EmbeddingStats> stats = EmbeddingStats.measure(model, split.validation());
            if (stats.isPresent()) new ModelFolder(out).writeEmbeddingStats(stats.get());
            stdout.printf(Locale.ROOT, "trained %d steps: validation loss %.4f -> %.4f, last training loss %.4f, %.0f tokens/s%n",
                    last.step(), before, last.validationLoss(), last.loss(), last.tokensPerSecond());
            stdout.printf("wrote %s, %s, %s%s%n", out.resolve(Checkpoint.CONFIG_FILE), out.resolve(Checkpoint.WEIGHTS_FILE), logFile,
                    stats.isPresent() ? " and " + out.resolve(ModelFolder.EMBEDDING_STATS_FILE) : " (too few validation sequences for embedding statistics)");
        }
        return 0;
    }

    /** The trainer service: one round now, or rounds until Ctrl-C with --continuous. */
    private int fromKafka() throws IOException, InterruptedException {
        if (out != null) throw new IllegalArgumentException("--out goes with --data or --simulate; with --bootstrap versions go to the model store (--store)");
        Map<String, String> o = new HashMap<>();
        if (steps != null) o.put("trainer.steps-per-round", String.valueOf(steps));
        if (batch != null) o.put("trainer.batch-size", String.valueOf(batch));
        if (preset != null) o.put("trainer.preset", preset);
        if (lr != null) o.put("trainer.learning-rate", String.valueOf(lr));
        if (valFraction != null) o.put("trainer.held-out-fraction", String.valueOf(valFraction));
        if (every != null) o.put("trainer.every", String.valueOf(every));
        if (maxWait != null) o.put("trainer.max-wait", maxWait);
        o.put("trainer.seed", String.valueOf(seed));
        TrainerSettings settings = trainer.settings(source.bootstrap, o);
        PrintWriter stdout = spec.commandLine().getOut();
        ProgressLog progress = new ProgressLog(spec.commandLine().getErr(), System.console() != null,
                Math.max(1, settings.stepsPerRound() / 20));
        if (!settings.models().isEmpty()) return severalModels(settings, progress, stdout);
        try (ContinuousTrainer service = new ContinuousTrainer(settings, trainer.topics(), progress)) {
            if (!continuous) {
                Optional<RoundResult> r = service.runRound();
                stdout.println(r.isPresent() ? "published version " + r.get().version() + " as " + r.get().status()
                        : "no new token records since the last round: nothing to train on");
                return 0;
            }
            return untilCtrlC(service::start, service::close, stdout, String.format(Locale.ROOT,
                    "training %s from %s every %d records or %s; state in %s, versions in %s; Ctrl-C stops",
                    settings.modelName(), settings.bootstrapServers(), settings.every(), settings.maxWait(),
                    settings.stateDir().toAbsolutePath(), settings.modelStore()));
        }
    }

    /**
     * Starts the trainers' rounds, says so, and waits for Ctrl-C, whose shutdown hook closes them (a round under way
     * checkpoints) before the command returns 0.
     */
    private static int untilCtrlC(Runnable start, Runnable close, PrintWriter stdout, String started) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close.run();
            stopped.countDown();
        }));
        start.run();
        stdout.println(started);
        stdout.flush();
        stopped.await();
        return 0;
    }

    /** trainer.models: one round of each model now (or each model's rounds until Ctrl-C with --continuous). */
    private int severalModels(TrainerSettings settings, ProgressLog progress, PrintWriter stdout) throws IOException, InterruptedException {
        Trainers.Listener named = new Trainers.Listener() {
            @Override
            public void progress(String model, long round, Trainer.Progress p) { progress.progress(round, p); }

            @Override
            public void published(String model, RoundResult r) {
                stdout.println("model " + model + ": " + ProgressLog.line(r));
                stdout.flush();
            }
        };
        try (Trainers service = new Trainers(settings, trainer.topics(), named)) {
            if (!continuous) {
                for (Map.Entry<String, Optional<RoundResult>> r : service.runRounds().entrySet()) {
                    stdout.println(r.getKey() + ": " + (r.getValue().isPresent() ? "published version " + r.getValue().get().version()
                            + " as " + r.getValue().get().status() : "no new token records of its layout since the last round"));
                }
                return 0;
            }
            return untilCtrlC(service::start, service::close, stdout, String.format(Locale.ROOT,
                    "training %s from %s every %d records or %s; state under %s, versions in %s; Ctrl-C stops",
                    settings.models(), settings.bootstrapServers(), settings.every(), settings.maxWait(),
                    settings.stateDir().toAbsolutePath(), settings.modelStore()));
        }
    }

    private void checkArguments(int steps, int batch, double valFraction) {
        String problem = null;
        if (steps < 1) problem = "--steps must be at least 1, got " + steps;
        else if (batch < 1) problem = "--batch must be at least 1, got " + batch;
        else if (accumulation < 1) problem = "--accumulation must be at least 1, got " + accumulation;
        else if (source.simulate != null && source.simulate < 2) problem = "--simulate needs at least 2 galaxies, got " + source.simulate;
        else if (!(valFraction >= 0 && valFraction < 1)) problem = "--val-fraction must be in [0, 1), got " + valFraction;
        else if (lr != null && !(lr > 0)) problem = "--lr must be positive, got " + lr;
        else if (warmup != null && (warmup < 0 || warmup > steps)) problem = "--warmup must be 0 to --steps, got " + warmup;
        else if (evalEvery != null && evalEvery < 0) problem = "--eval-every must be 0 (never) or more, got " + evalEvery;
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    /** train-log.csv ({@link TrainLog}'s layout): one row per step, flushed as it goes so a long run can be watched (tail -f). */
    static final class TrainingLog implements AutoCloseable {

        static final String FILE = ModelFolder.TRAIN_LOG_FILE;

        private final BufferedWriter out;
        private final long started = System.nanoTime();

        TrainingLog(Path file) throws IOException {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            out.write(TrainLog.HEADER + "\n");
        }

        /** Step 0: the validation loss of the freshly initialised network. */
        void untrained(float validationLoss) throws IOException {
            out.write(TrainLog.row(0, Double.NaN, Double.NaN, validationLoss, Double.NaN, seconds()) + "\n");
            out.flush();
        }

        void accept(Trainer.Progress p) {
            try {
                out.write(TrainLog.row(p, seconds()) + "\n");
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write the training log (" + e.getMessage() + ")", e);
            }
        }

        private double seconds() { return (System.nanoTime() - started) / 1e9; }

        @Override
        public void close() throws IOException { out.close(); }
    }
}
