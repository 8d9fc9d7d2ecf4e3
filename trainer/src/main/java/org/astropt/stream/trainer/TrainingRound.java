package org.astropt.stream.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.model.TokenBatch;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.schemas.TokenSequence;

/**
 * The training of one round, from its last checkpoint to its last step: the starting weights (the round's
 * checkpoint, else the serving version's, else fresh ones of the preset), the step loop over the round's
 * records and its replay sample, and a checkpoint every trainer.checkpoint-every steps. A checkpoint folder
 * {@code ckpt-STEP-PASS/} gets the weights, the AdamW moments and the held-out sample; then state.json names
 * it (the commit point), so a new trainer on the same state folder resumes at that step and reading position.
 */
final class TrainingRound {

    /** What becomes of the trained model: evaluated and stored as the round's candidate. */
    interface Candidate {
        void store(TrainerState state, AstroPTModel model, HeldOutSet heldOut, RoundLog log) throws IOException;
    }

    private static final String OPTIMIZER_FILE = "optimizer.safetensors";

    private final TrainerSettings settings;
    private final Path stateDir;
    private final ModelStore store;
    private final TokenReader reader;
    private final RoundPlan plan;
    private final ContinuousTrainer.Listener listener;
    private final BooleanSupplier closed;

    /** @param closed asked between two steps: true stops the round after a checkpoint */
    TrainingRound(TrainerSettings settings, Path stateDir, ModelStore store, TokenReader reader, RoundPlan plan,
            ContinuousTrainer.Listener listener, BooleanSupplier closed) {
        this.settings = settings;
        this.stateDir = stateDir;
        this.store = store;
        this.reader = reader;
        this.plan = plan;
        this.listener = listener;
        this.closed = closed;
    }

    /**
     * Trains the planned round from its last checkpoint to its last step and hands the model to candidate;
     * false when it was stopped, or had nothing to train on (then the position moves on, with no version).
     *
     * @param parentWeights the weights URI of a version number (the round's parent, when it starts without a checkpoint)
     */
    boolean train(TrainerState state, LongFunction<URI> parentWeights, Candidate candidate) throws IOException {
        long round = state.round + 1;
        Path checkpoint = state.checkpoint == null ? null : stateDir.resolve(state.checkpoint);
        HeldOutSet heldOut = HeldOutSet.load(checkpoint != null ? checkpoint.resolve(RoundPlan.HELD_OUT_FILE)
                : stateDir.resolve(RoundPlan.HELD_OUT_FILE), settings.heldOutMax(), plan::ofLayout);
        AstroPTModel starting = startingModel(state, parentWeights, checkpoint);
        if (starting == null) { // a first round with no record of the model's layout: no version, the position moves on
            plan.finish(state);
            return false;
        }
        try (AstroPTModel model = starting) {
            ModelConfig config = model.config();
            LrSchedule schedule = LrSchedule.of(settings.peakLearningRate(), state.maxSteps / 20, state.maxSteps);
            Trainer.Settings ts = new Trainer.Settings(settings.batchSize(), 1, state.maxSteps, schedule, 1.0, AdamW.Settings.ASTROPT, 0, 1);
            try (Trainer trainer = new Trainer(model, ts); RoundLog log = new RoundLog(stateDir, state.step)) {
                if (checkpoint != null) {
                    Path opt = checkpoint.resolve(OPTIMIZER_FILE);
                    trainer.optimizer().restore(Safetensors.read(opt), Integer.parseInt(Safetensors.metadata(opt).get("step")));
                }
                reader.seek(state.roundPosition, state.roundEnd);
                int replay = plan.replayPerStep(state.roundStart);
                long resumedAt = System.nanoTime();
                long tokensSinceResume = 0;
                int firstStep = state.step;
                boolean trainableInPass = false;
                while (state.step < state.maxSteps && !closed.getAsBoolean()) {
                    Batch next = nextBatch(state, round, replay, config, heldOut);
                    List<float[][]> batch = next.sequences();
                    trainableInPass |= next.newRecords();
                    if (next.passEnded()) {
                        state.pass++;
                        boolean again = settings.stepsPerRound() > 0 && (trainableInPass || replay > 0);
                        if (again) {
                            reader.seek(state.roundStart, state.roundEnd);
                            trainableInPass = false;
                        } else {
                            state.maxSteps = state.step + (batch.isEmpty() ? 0 : 1); // one pass: this is the last step
                        }
                    }
                    if (batch.isEmpty()) continue;
                    float loss = step(trainer, model, batch, schedule.at(state.step));
                    long tokens = batch.stream().mapToLong(s -> s.length - 1L).sum();
                    state.tokensSeen += tokens;
                    tokensSinceResume += tokens;
                    state.step++;
                    state.lastLoss = loss;
                    double seconds = Math.max((System.nanoTime() - resumedAt) / 1e9, 1e-9);
                    int done = state.step - firstStep;
                    Duration eta = Duration.ofMillis((long) (seconds / done * (state.maxSteps - state.step) * 1000));
                    Trainer.Progress p = new Trainer.Progress(state.step, state.maxSteps, loss, Float.NaN, schedule.at(state.step - 1),
                            tokensSinceResume / seconds, eta);
                    log.accept(p);
                    if (state.step % settings.checkpointEvery() == 0 || state.step == state.maxSteps) {
                        state.trainingMillis += (System.nanoTime() - resumedAt) / 1_000_000;
                        resumedAt = System.nanoTime();
                        tokensSinceResume = 0;
                        firstStep = state.step;
                        checkpoint(state, model, trainer, heldOut);
                    }
                    listener.progress(round, p);
                }
                if (!checkpointName(state).equals(state.checkpoint)) {
                    checkpoint(state, model, trainer, heldOut); // closed mid-round, or a pass that ended between checkpoints
                }
                if (closed.getAsBoolean()) return false;
                if (state.step == 0) { // nothing but held-out records (or none that fit): no version, but the position moves on
                    plan.finish(state);
                    return false;
                }
                candidate.store(state, model, heldOut, log);
            }
        }
        return true;
    }

    /** A step's sequences; whether the round's records ran out while reading them, and whether any was new (not replay). */
    private record Batch(List<float[][]> sequences, boolean passEnded, boolean newRecords) {}

    /**
     * The next step's batch: batchSize - replay trainable records in topic order (held-out ones join the
     * held-out sample on the way), then the step's replay sample.
     */
    private Batch nextBatch(TrainerState state, long round, int replay, ModelConfig config, HeldOutSet heldOut) {
        List<float[][]> batch = new ArrayList<>();
        boolean passEnded = false;
        boolean newRecords = false;
        while (batch.size() < settings.batchSize() - replay) {
            TokenRecord r = reader.next();
            if (r == null) {
                passEnded = true;
                break;
            }
            if (plan.heldOut(r)) {
                if (plan.ofLayout(r.sequence())) heldOut.offer(r); // another model's records do not crowd its sample out
            } else if (RoundPlan.fits(r, config)) {
                batch.add(r.tokens());
                newRecords = true;
            }
        }
        if (replay > 0) batch.addAll(plan.replaySample(round, state.step, state.roundStart, replay, config));
        return new Batch(batch, passEnded, newRecords);
    }

    /**
     * The weights a round starts from: its checkpoint, else the serving version's, else fresh ones of the preset
     * sized for the first record of the model's layout in the round ({@link ModelConfig#forTokens}: its patch side
     * and token width, e.g. 8 px patches of 3 channels for alert triplets); null when the round has no such record.
     */
    private AstroPTModel startingModel(TrainerState state, LongFunction<URI> parentWeights, Path checkpoint) throws IOException {
        if (checkpoint != null) return Checkpoint.load(checkpoint, AstroPTModel.defaultDevice());
        if (state.parentVersion != null) {
            return Checkpoint.load(store.open(parentWeights.apply(state.parentVersion)), AstroPTModel.defaultDevice());
        }
        TokenSequence first = plan.firstOfLayout(state.roundStart, state.roundEnd);
        if (first == null) return null;
        ModelConfig config = settings.modelPreset().config().forTokens(settings.layout(), first.getTokenizer().getPatchSize(),
                first.getTokenDim(), "token record " + first.getId() + " (" + first.getLayout() + ")");
        return AstroPTModel.create(config, AstroPTModel.defaultDevice(), settings.seed());
    }

    /** One optimizer step on sequences of possibly several lengths: one micro-batch per length. */
    private static float step(Trainer trainer, AstroPTModel model, List<float[][]> batch, double lr) {
        Map<Integer, List<float[][]>> byLength = new LinkedHashMap<>();
        for (float[][] s : batch) byLength.computeIfAbsent(s.length, k -> new ArrayList<>()).add(s);
        try (NDManager m = model.newBatchManager()) {
            List<NDArray> micro = new ArrayList<>();
            for (List<float[][]> group : byLength.values()) micro.add(TokenBatch.stack(m, group));
            return trainer.step(micro, lr);
        }
    }

    private static String checkpointName(TrainerState state) { return "ckpt-" + state.step + "-" + state.pass; }

    /** Weights, optimizer moments and held-out sample into ckpt-STEP-PASS/, then state.json names it (the commit point), then older ones go. */
    private void checkpoint(TrainerState state, AstroPTModel model, Trainer trainer, HeldOutSet heldOut) throws IOException {
        String name = checkpointName(state);
        Path dir = stateDir.resolve(name);
        FileModelStore.deleteTree(dir);
        Checkpoint.save(model, dir, Safetensors.Dtype.F32);
        Safetensors.write(dir.resolve(OPTIMIZER_FILE), trainer.optimizer().moments(),
                Map.of("step", String.valueOf(trainer.optimizer().stepCount())));
        heldOut.save(dir.resolve(RoundPlan.HELD_OUT_FILE));
        state.roundPosition = reader.position();
        state.checkpoint = name;
        state.save(stateDir);
        try (Stream<Path> old = Files.list(stateDir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("ckpt-") && !p.getFileName().toString().equals(name)).toList()) {
                FileModelStore.deleteTree(p);
            }
        }
    }
}
