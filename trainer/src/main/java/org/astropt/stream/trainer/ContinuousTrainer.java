package org.astropt.stream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer service: rounds of training on astropt.tokens, each ending in a model version on
 * astropt.models. The first round trains from scratch on everything on the topic; each later round
 * fine-tunes the serving (PROMOTED) version on the records that arrived since the last round, mixed
 * with a replay sample of older ones. A round is published as CANDIDATE, then PROMOTED when its held-out
 * loss beats the serving version's measured on the same sample now, else REJECTED with both numbers.
 *
 * <pre>{@code
 * try (ContinuousTrainer trainer = new ContinuousTrainer(settings, topics, listener)) {
 *     Optional<RoundResult> r = trainer.runRound(); // one round now, synchronously
 *     trainer.start();                              // or: rounds every N records / max wait, on a daemon thread
 * }
 * }</pre>
 *
 * Crash-safe: the round's reading position, weights, optimizer moments and step are checkpointed in the
 * state folder every trainer.checkpoint-every steps; a new trainer on the same folder resumes the round
 * there, and a round whose candidate was already published is not published twice (docs/TRAINER.md).
 * This class is the loop and the order of a round's phases; {@link RoundPlan} picks the records,
 * {@link TrainingRound} trains and checkpoints, {@link CandidateJudge} evaluates and publishes.
 */
public final class ContinuousTrainer implements AutoCloseable {

    /** Hears about a trainer's work; called on the training thread. */
    public interface Listener {
        /** After every optimizer step. */
        default void progress(long round, Trainer.Progress progress) {}

        /** After a round published its version (PROMOTED or REJECTED). */
        default void published(RoundResult result) {}
    }

    private static final Logger LOG = LoggerFactory.getLogger(ContinuousTrainer.class);

    private final TrainerSettings settings;
    private final Listener listener;
    private final Path stateDir;
    private final ModelStore store;
    private final TokenReader reader;
    private final RoundPlan plan;
    private final TrainingRound training;
    private final CandidateJudge judge;
    private volatile boolean closed;
    private Thread loop;

    public ContinuousTrainer(TrainerSettings settings, Topics topics, Listener listener) throws IOException {
        this.settings = settings;
        this.listener = listener;
        this.stateDir = settings.stateDir().toAbsolutePath();
        this.store = ModelStore.of(settings.modelStore());
        Files.createDirectories(stateDir);
        this.reader = new TokenReader(settings, topics.name(Topics.TOKENS));
        try {
            this.judge = new CandidateJudge(settings, topics, stateDir, store);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        this.plan = new RoundPlan(settings, reader, stateDir);
        this.training = new TrainingRound(settings, stateDir, store, reader, plan, listener, () -> closed);
    }

    public TrainerSettings settings() { return settings; }

    public ModelStore store() { return store; }

    /** The models topic now. */
    public ModelVersions catalog() { return judge.catalog(); }

    /** Token records on the topic after the last finished round (an upper bound: compaction leaves gaps). */
    public synchronized long pendingRecords() throws IOException {
        return plan.pending(TrainerState.load(stateDir, settings.modelName()));
    }

    /**
     * Runs one round now, or finishes the one a crash interrupted: trains, evaluates, stores and publishes.
     *
     * @return what was published; empty when there was nothing new to train on
     */
    public synchronized Optional<RoundResult> runRound() throws IOException {
        TrainerState state = TrainerState.load(stateDir, settings.modelName());
        if (state.phase == TrainerState.Phase.IDLE && !plan.begin(state, judge.servingVersion())) return Optional.empty();
        if (state.phase == TrainerState.Phase.TRAINING && !training.train(state, judge::weightsOf, judge::storeCandidate)) {
            return Optional.empty();
        }
        RoundResult result = judge.publish(state);
        RoundLog.appendHistory(stateDir, result.round());
        plan.finish(state);
        LOG.info("round={} version={} status={} heldout_loss={} promoted_heldout_loss={} promoted_version={} sha256={}",
                result.round(), result.version(), result.status(), result.heldOutLoss(), result.promotedHeldOutLoss(),
                result.promotedVersion(), result.sha256());
        listener.published(result);
        return Optional.of(result);
    }

    /**
     * Runs rounds on a daemon thread until close(): one when trainer.every new records have arrived, or
     * when trainer.max-wait has passed since the last round and at least one has. A failed round is logged
     * and tried again (from its checkpoint) after a pause.
     */
    public synchronized void start() {
        if (loop != null) throw new IllegalStateException("the trainer is already running");
        loop = new Thread(this::continuously, "astropt-trainer-" + settings.modelName());
        loop.setDaemon(true);
        loop.start();
    }

    private void continuously() {
        long lastRound = System.nanoTime();
        while (!closed) {
            try {
                TrainerState state = TrainerState.load(stateDir, settings.modelName());
                long pending = pendingRecords();
                boolean waited = System.nanoTime() - lastRound >= settings.maxWait().toNanos();
                if (RoundPlan.due(state.phase, pending, settings.every(), waited)) {
                    runRound();
                    lastRound = System.nanoTime();
                } else {
                    sleep(Duration.ofMillis(500));
                }
            } catch (IOException | RuntimeException e) {
                if (closed) break;
                LOG.error("training round failed, trying again from its checkpoint in 5 s: {}", e.toString(), e);
                sleep(Duration.ofSeconds(5));
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops the loop (a round under way checkpoints and stops after its current step) and closes the clients. */
    @Override
    public void close() {
        closed = true; // the loop sees it between two steps (an interrupt would break a Kafka poll mid-way)
        Thread t = loop;
        if (t != null) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            reader.close();
            judge.close();
        }
    }
}
