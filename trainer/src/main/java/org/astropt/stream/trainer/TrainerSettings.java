package org.astropt.stream.trainer;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.astropt.stream.core.model.ModelConfig;

/**
 * The trainer's settings, from config/trainer.properties (each key documented there), with the CLI's
 * options laid over them. Every key has the default of that file.
 *
 * @param bootstrapServers  Kafka host:port list
 * @param groupId           consumer group the position is committed to after each round
 * @param maxPollRecords    records per poll
 * @param transactionalId   transactional id of the models-topic producer
 * @param modelStore        model store URI (file:PATH, file:///PATH or a plain path)
 * @param modelName         model name on astropt.models
 * @param preset            size of a model trained from scratch
 * @param stateDir          checkpoint folder
 * @param heldOutFraction   share of object ids held out by id hash
 * @param heldOutMax        held-out sequences kept for evaluation
 * @param probeLabels       metadata keys probed by linear regression on embeddings
 * @param every             new records that start a continuous round
 * @param maxWait           time that starts a continuous round when at least one record is new
 * @param replayFraction    share of each fine-tuning batch replayed from older records
 * @param batchSize         sequences per optimizer step
 * @param stepsPerRound     optimizer steps per round; 0 for one pass over the round's records
 * @param learningRate      peak learning rate; NaN for the preset's
 * @param checkpointEvery   steps between checkpoints
 * @param seed              seeds the initial weights and the replay sampling
 */
public record TrainerSettings(String bootstrapServers, String groupId, int maxPollRecords, String transactionalId,
                              String modelStore, String modelName, String preset, Path stateDir,
                              double heldOutFraction, int heldOutMax, List<String> probeLabels,
                              long every, Duration maxWait, double replayFraction,
                              int batchSize, int stepsPerRound, double learningRate, int checkpointEvery, long seed) {

    public TrainerSettings {
        require(heldOutFraction > 0 && heldOutFraction < 1, "trainer.held-out-fraction must be in (0, 1), got " + heldOutFraction);
        require(heldOutMax >= 1, "trainer.held-out-max must be at least 1, got " + heldOutMax);
        require(every >= 1, "trainer.every must be at least 1, got " + every);
        require(!maxWait.isNegative() && !maxWait.isZero(), "trainer.max-wait must be positive, got " + maxWait);
        require(replayFraction >= 0 && replayFraction < 1, "trainer.replay-fraction must be in [0, 1), got " + replayFraction);
        require(batchSize >= 1, "trainer.batch-size must be at least 1, got " + batchSize);
        require(stepsPerRound >= 0, "trainer.steps-per-round must be 0 (one pass) or more, got " + stepsPerRound);
        require(Double.isNaN(learningRate) || learningRate > 0, "trainer.learning-rate must be positive, got " + learningRate);
        require(checkpointEvery >= 1, "trainer.checkpoint-every must be at least 1, got " + checkpointEvery);
        require(maxPollRecords >= 1, "trainer.max-poll-records must be at least 1, got " + maxPollRecords);
        presetOf(preset); // an unknown name fails here, listing the known ones
        probeLabels = List.copyOf(probeLabels);
    }

    /** The defaults of config/trainer.properties. */
    public static TrainerSettings defaults() { return of(new Properties()); }

    /** Reads a settings file, then lays overrides (same keys, e.g. from the CLI) over it. */
    public static TrainerSettings load(Path file, Map<String, String> overrides) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            try (Reader in = Files.newBufferedReader(file)) {
                p.load(in);
            }
        }
        overrides.forEach((k, v) -> { if (v != null) p.setProperty(k, v); });
        return of(p);
    }

    public static TrainerSettings of(Properties p) {
        String lr = value(p, "learning-rate", "");
        return new TrainerSettings(
                value(p, "bootstrap-servers", "localhost:9092"),
                value(p, "group-id", "astropt-trainer"),
                Integer.parseInt(value(p, "max-poll-records", "256")),
                value(p, "transactional-id", "astropt-trainer"),
                value(p, "model-store", "file:data/models"),
                value(p, "model-name", "astropt"),
                value(p, "preset", "1M"),
                Path.of(value(p, "state-dir", "data/trainer")),
                Double.parseDouble(value(p, "held-out-fraction", "0.05")),
                Integer.parseInt(value(p, "held-out-max", "256")),
                Arrays.stream(value(p, "probe-labels", "MAG_R,REDSHIFT,TRUTH_BT,AXRATIO").split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList(),
                Long.parseLong(value(p, "every", "10000")),
                duration(value(p, "max-wait", "10m")),
                Double.parseDouble(value(p, "replay-fraction", "0.25")),
                Integer.parseInt(value(p, "batch-size", "16")),
                Integer.parseInt(value(p, "steps-per-round", "200")),
                lr.isEmpty() ? Double.NaN : Double.parseDouble(lr),
                Integer.parseInt(value(p, "checkpoint-every", "50")),
                Long.parseLong(value(p, "seed", "1")));
    }

    /** The preset a model trained from scratch gets. */
    public ModelConfig.Preset modelPreset() { return presetOf(preset); }

    /** A preset name (1M ... 2.1B), or LAYERS/HEADS/WIDTH for another size (e.g. 2/4/64 in tests), at lr 1e-3. */
    static ModelConfig.Preset presetOf(String name) {
        String[] parts = name.split("/");
        if (parts.length != 3) return ModelConfig.preset(name);
        try {
            return new ModelConfig.Preset(name, ModelConfig.of(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
                    Integer.parseInt(parts[2].trim())), 1e-3);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("trainer.preset '" + name + "' is neither a preset name nor LAYERS/HEADS/WIDTH");
        }
    }

    /** The peak learning rate: the setting, else the preset's. */
    public double peakLearningRate() { return Double.isNaN(learningRate) ? modelPreset().learningRate() : learningRate; }

    public TrainerSettings withLearningRate(double lr) {
        return new TrainerSettings(bootstrapServers, groupId, maxPollRecords, transactionalId, modelStore, modelName, preset,
                stateDir, heldOutFraction, heldOutMax, probeLabels, every, maxWait, replayFraction, batchSize, stepsPerRound,
                lr, checkpointEvery, seed);
    }

    public TrainerSettings withStepsPerRound(int steps) {
        return new TrainerSettings(bootstrapServers, groupId, maxPollRecords, transactionalId, modelStore, modelName, preset,
                stateDir, heldOutFraction, heldOutMax, probeLabels, every, maxWait, replayFraction, batchSize, steps,
                learningRate, checkpointEvery, seed);
    }

    /** "10m", "30s", "2h", "500ms", or ISO-8601 ("PT10M"). */
    public static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) return Duration.parse(t.toUpperCase(Locale.ROOT));
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                default: break;
            }
        } catch (RuntimeException e) {
            // fall through to the one-line error
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration: write e.g. 500ms, 30s, 10m or 2h");
    }

    private static String value(Properties p, String key, String fallback) {
        String v = p.getProperty("trainer." + key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static void require(boolean ok, String problem) {
        if (!ok) throw new IllegalArgumentException(problem);
    }
}
