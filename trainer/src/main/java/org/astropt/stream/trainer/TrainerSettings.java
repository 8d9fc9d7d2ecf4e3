package org.astropt.stream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.kafka.KafkaClientSettings;

/**
 * The trainer's settings, from config/trainer.properties (each key documented there), with the CLI's
 * options laid over them. Every key has the default of that file.
 *
 * @param kafka             how the trainer's Kafka clients connect: trainer.bootstrap-servers and the kafka.* keys
 *                          (SASL, TLS: {@link KafkaClientSettings}) of the same settings
 * @param groupId           consumer group the position is committed to after each round
 * @param maxPollRecords    records per poll
 * @param transactionalId   transactional id of the models-topic producer
 * @param modelStore        model store URI (file:PATH, file:///PATH or a plain path)
 * @param modelName         model name on astropt.models
 * @param preset            size of a model trained from scratch
 * @param stateDir          checkpoint folder
 * @param heldOutFraction   share of object ids held out by id hash
 * @param heldOutMax        held-out sequences kept for evaluation
 * @param every             new records that start a continuous round
 * @param maxWait           time that starts a continuous round when at least one record is new
 * @param replayFraction    share of each fine-tuning batch replayed from older records
 * @param batchSize         sequences per optimizer step
 * @param stepsPerRound     optimizer steps per round; 0 for one pass over the round's records
 * @param learningRate      peak learning rate; NaN for the preset's
 * @param checkpointEvery   steps between checkpoints
 * @param seed              seeds the initial weights and the replay sampling
 * @param promoteMinImprovement smallest mean held-out improvement that promotes, as a share of the serving loss
 * @param promoteSignificance   one-sided level of the paired t-test the improvement must pass to promote
 * @param truthLabels       also fit the score heads on the synthetic survey's truth (token metadata) of objects nobody labelled
 * @param headsSample       token sequences nobody labelled that the score heads' fit reads besides the labelled ones (novelty reference)
 * @param layout            the token records this trainer's model learns from (grz-cutout unless trainer.models says
 *                          otherwise); a first round sizes the model for them ({@link ModelConfig#forTokens})
 * @param models            trainer.models: the models a trainer of several trains ({@link #perModel()}); empty for
 *                          the one model trainer.model-name names, on grz-cutout records
 */
public record TrainerSettings(KafkaClientSettings kafka, String groupId, int maxPollRecords, String transactionalId,
                              String modelStore, String modelName, String preset, Path stateDir,
                              double heldOutFraction, int heldOutMax,
                              long every, Duration maxWait, double replayFraction,
                              int batchSize, int stepsPerRound, double learningRate, int checkpointEvery, long seed,
                              double promoteMinImprovement, double promoteSignificance,
                              boolean truthLabels, int headsSample, InputLayout layout, List<TrainedModel> models) {

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
        require(promoteMinImprovement >= 0 && promoteMinImprovement < 1,
                "trainer.promote-min-improvement must be in [0, 1), got " + promoteMinImprovement);
        require(promoteSignificance > 0 && promoteSignificance < 0.5,
                "trainer.promote-significance must be in (0, 0.5), got " + promoteSignificance);
        require(headsSample >= 0, "trainer.heads-sample must be 0 or more, got " + headsSample);
        presetOf(preset); // an unknown name fails here, listing the known ones
        if (layout == null) layout = InputLayout.GRZ_CUTOUT;
        models = models == null ? List.of() : List.copyOf(models);
    }

    /** The defaults of config/trainer.properties. */
    public static TrainerSettings defaults() { return of(SettingsFile.defaults()); }

    /**
     * Reads a settings file (null: none), then lays overrides (same keys, e.g. from the CLI; null values
     * skipped) over it; an error in an override names the command line, not the file.
     */
    public static TrainerSettings load(Path file, Map<String, String> overrides) throws IOException {
        return of((file == null ? SettingsFile.defaults() : SettingsFile.read(file)).with(overrides, SettingsFile.COMMAND_LINE));
    }

    public static TrainerSettings of(Properties p) { return of(SettingsFile.of(p)); }

    /** The keys of config/trainer.properties and their defaults. */
    public static TrainerSettings of(SettingsFile s) {
        return s.build(() -> new TrainerSettings(
                KafkaClientSettings.of(s.string("trainer.bootstrap-servers", "localhost:9092"), s),
                s.string("trainer.group-id", "astropt-trainer"),
                s.intValue("trainer.max-poll-records", 256),
                s.string("trainer.transactional-id", "astropt-trainer"),
                s.string("trainer.model-store", "file:data/models"),
                s.string("trainer.model-name", "astropt"),
                s.string("trainer.preset", "1M"),
                Path.of(s.string("trainer.state-dir", "data/trainer")),
                s.doubleValue("trainer.held-out-fraction", 0.05),
                s.intValue("trainer.held-out-max", 256),
                s.longValue("trainer.every", 10_000),
                s.duration("trainer.max-wait", Duration.ofMinutes(10)),
                s.doubleValue("trainer.replay-fraction", 0.25),
                s.intValue("trainer.batch-size", 16),
                s.intValue("trainer.steps-per-round", 200),
                s.doubleValue("trainer.learning-rate", Double.NaN),
                s.intValue("trainer.checkpoint-every", 50),
                s.longValue("trainer.seed", 1),
                s.doubleValue("trainer.promote-min-improvement", 0.005),
                s.doubleValue("trainer.promote-significance", 0.01),
                s.booleanValue("trainer.truth-labels", false),
                s.intValue("trainer.heads-sample", 1000),
                InputLayout.GRZ_CUTOUT,
                TrainedModel.parse(s.list("trainer.models", List.of()))));
    }

    /** trainer.bootstrap-servers. */
    public String bootstrapServers() { return kafka.bootstrapServers(); }

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
        return new TrainerSettings(kafka, groupId, maxPollRecords, transactionalId, modelStore, modelName, preset,
                stateDir, heldOutFraction, heldOutMax, every, maxWait, replayFraction, batchSize, stepsPerRound,
                lr, checkpointEvery, seed, promoteMinImprovement, promoteSignificance, truthLabels, headsSample, layout, models);
    }

    /** These settings with other Kafka client settings (a local stack against a secured broker). */
    public TrainerSettings withKafka(KafkaClientSettings k) {
        return new TrainerSettings(k, groupId, maxPollRecords, transactionalId, modelStore, modelName, preset,
                stateDir, heldOutFraction, heldOutMax, every, maxWait, replayFraction, batchSize, stepsPerRound,
                learningRate, checkpointEvery, seed, promoteMinImprovement, promoteSignificance, truthLabels, headsSample, layout, models);
    }

    public TrainerSettings withStepsPerRound(int steps) {
        return new TrainerSettings(kafka, groupId, maxPollRecords, transactionalId, modelStore, modelName, preset,
                stateDir, heldOutFraction, heldOutMax, every, maxWait, replayFraction, batchSize, steps,
                learningRate, checkpointEvery, seed, promoteMinImprovement, promoteSignificance, truthLabels, headsSample, layout, models);
    }

    /**
     * The settings of each model this trainer trains, one {@link ContinuousTrainer} each ({@link Trainers}):
     * without trainer.models, these settings alone (trainer.model-name on grz-cutout records, state in
     * trainer.state-dir, as before trainer.models). With it, one per entry, in order: its name, layout and preset,
     * state in trainer.state-dir/NAME, consumer group and transactional id trainer.group-id-NAME and
     * trainer.transactional-id-NAME, the rest shared. One exception keeps a single-model state folder going: when
     * trainer.state-dir itself holds the state of a model of the list (its state.json names it) and
     * trainer.state-dir/NAME does not exist yet, that model keeps trainer.state-dir, its group and its
     * transactional id, so it goes on from where it was (its position, held-out sample, round count).
     */
    public List<TrainerSettings> perModel() {
        if (models.isEmpty()) return List.of(this);
        String before = TrainerState.modelOf(stateDir).orElse(null);
        List<TrainerSettings> out = new ArrayList<>();
        for (TrainedModel m : models) {
            boolean carriesOn = m.name().equals(before) && !Files.exists(stateDir.resolve(m.name()));
            out.add(new TrainerSettings(kafka, carriesOn ? groupId : groupId + "-" + m.name(), maxPollRecords,
                    carriesOn ? transactionalId : transactionalId + "-" + m.name(), modelStore, m.name(),
                    m.preset() != null ? m.preset() : preset, carriesOn ? stateDir : stateDir.resolve(m.name()),
                    heldOutFraction, heldOutMax, every, maxWait, replayFraction, batchSize, stepsPerRound, learningRate,
                    checkpointEvery, seed, promoteMinImprovement, promoteSignificance, truthLabels, headsSample, m.layout(), List.of()));
        }
        return out;
    }

    private static void require(boolean ok, String problem) {
        if (!ok) throw new IllegalArgumentException(problem);
    }
}
