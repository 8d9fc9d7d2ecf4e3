package org.astropt.stream.app;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ProgressBar;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
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
 * <pre>
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
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--preset", defaultValue = "1M", paramLabel = "NAME",
            description = "Model size: 1M, 5M, 12M, 21M, 89M, 309M, 830M, 2.1B (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--steps", defaultValue = "300", paramLabel = "N", description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PIXELS",
            description = "Crop side for cutouts (and of simulated galaxies): 64 px = 16 tokens (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "B",
            description = "Sequences per micro-batch: enough rows for efficient matrix products on a CPU (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--accumulation", defaultValue = "1", paramLabel = "A",
            description = "Micro-batches per step; the paper's 320 galaxies per step is e.g. --batch 32 --accumulation 10 (default ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: the preset's, 1e-3 for 1M).")
    Double lr;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up steps (default: 5%% of the steps).")
    Integer warmup;

    @Option(names = "--val-fraction", defaultValue = "0.05", paramLabel = "F",
            description = "Share of objects held out for the validation loss (default ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between validation losses (default: a tenth of the steps).")
    Integer evalEvery;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Seeds the weights, the batch order and the simulated survey (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Model folder to write.")
    Path out;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    /** Validation batches per evaluation, at most: 20 x 32 sequences give a steady loss. */
    static final int EVAL_BATCHES = 20;

    @Override
    public Integer call() throws IOException {
        checkArguments();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        ModelConfig.Preset p = ModelConfig.preset(preset);
        TokenizerSettings tokenizing = config.config().tokenizerSettings().withSize(size);
        PatchTokenizer tokenizer = new PatchTokenizer(tokenizing);
        TrainingData data = source.data != null
                ? TrainingData.read(source.data, new SequenceReader(config.decoder(), tokenizer),
                        skipped -> stderr.println("astropt: skipped " + skipped))
                : TrainingData.simulate(source.simulate, size, seed, tokenizer);
        int patchValues = tokenizing.patchSize() * tokenizing.patchSize();
        if (data.tokenDim() % patchValues != 0) {
            throw new IllegalArgumentException(data.source() + ": tokens of " + data.tokenDim() + " values are not "
                    + tokenizing.patchSize() + "x" + tokenizing.patchSize() + " patches of whole bands");
        }
        ModelConfig modelConfig = p.config().withChannels(data.tokenDim() / patchValues);
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
            stdout.printf(Locale.ROOT, "trained %d steps: validation loss %.4f -> %.4f, last training loss %.4f, %.0f tokens/s%n",
                    last.step(), before, last.validationLoss(), last.loss(), last.tokensPerSecond());
            stdout.printf("wrote %s, %s and %s%n", out.resolve(Checkpoint.CONFIG_FILE), out.resolve(Checkpoint.WEIGHTS_FILE), logFile);
        }
        return 0;
    }

    private void checkArguments() {
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

    /** train-log.csv: one row per step, flushed as it goes so a long run can be watched (tail -f). */
    static final class TrainingLog implements AutoCloseable {

        static final String FILE = "train-log.csv";
        static final String HEADER = "step,lr,loss,val_loss,tokens_per_s,elapsed_s";

        private final BufferedWriter out;
        private final long started = System.nanoTime();

        TrainingLog(Path file) throws IOException {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            out.write(HEADER + "\n");
        }

        /** Step 0: the validation loss of the freshly initialised network. */
        void untrained(float validationLoss) throws IOException {
            out.write(String.format(Locale.ROOT, "0,,,%s,,%.3f%n", number(validationLoss), seconds()));
            out.flush();
        }

        void accept(Trainer.Progress p) {
            try {
                out.write(String.format(Locale.ROOT, "%d,%.6g,%s,%s,%.1f,%.3f%n", p.step(), p.learningRate(), number(p.loss()),
                        number(p.validationLoss()), p.tokensPerSecond(), seconds()));
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write the training log (" + e.getMessage() + ")", e);
            }
        }

        private double seconds() { return (System.nanoTime() - started) / 1e9; }

        private static String number(float v) { return Float.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v); }

        @Override
        public void close() throws IOException { out.close(); }
    }
}
