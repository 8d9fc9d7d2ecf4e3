package org.astropt.stream.trainer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;

/**
 * The trainer of several models from the one token topic: one {@link ContinuousTrainer} per model that
 * trainer.models declares ({@link TrainerSettings#perModel()}), each training only on the token records of its
 * layout, with its own state folder (position, checkpoints, held-out split), consumer group, evaluation, versions
 * on astropt.models and promotion. Without trainer.models it is the one trainer of trainer.model-name.
 *
 * <pre>{@code
 * try (Trainers trainers = new Trainers(settings, topics, listener)) {
 *     trainers.runRound("astropt-ztf");   // one round of one model now, synchronously
 *     trainers.runRounds();               // one round of each, in trainer.models order
 *     trainers.start();                   // or: each model's rounds on its own daemon thread, until close()
 * }
 * }</pre>
 *
 * Started, each model's rounds run on a thread of their own, when its records are due (trainer.every,
 * trainer.max-wait, counted over all records of the topic), so two models' rounds can overlap.
 */
public final class Trainers implements AutoCloseable {

    /** Hears about every model's work, with the model's name; called on that model's training thread. */
    public interface Listener {
        /** After every optimizer step of a model's round. */
        default void progress(String model, long round, Trainer.Progress progress) {}

        /** After a model's round published its version (PROMOTED or REJECTED). */
        default void published(String model, RoundResult result) {}

        /** This listener for one model: what a {@link ContinuousTrainer} hears, with the model's name added. */
        default ContinuousTrainer.Listener of(String model) {
            Listener all = this;
            return new ContinuousTrainer.Listener() {
                @Override
                public void progress(long round, Trainer.Progress progress) { all.progress(model, round, progress); }

                @Override
                public void published(RoundResult result) { all.published(model, result); }
            };
        }
    }

    private final Map<String, ContinuousTrainer> trainers;
    private final java.util.Set<String> closed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Opens one trainer per model of settings (their clients; nothing runs until start or runRound). */
    public Trainers(TrainerSettings settings, Topics topics, Listener listener) throws IOException {
        Map<String, ContinuousTrainer> opened = new LinkedHashMap<>();
        try {
            for (TrainerSettings one : settings.perModel()) {
                opened.put(one.modelName(), new ContinuousTrainer(one, topics, listener.of(one.modelName())));
            }
        } catch (IOException | RuntimeException e) {
            opened.values().forEach(ContinuousTrainer::close);
            throw e;
        }
        this.trainers = Collections.unmodifiableMap(opened);
    }

    /** The models' names, in trainer.models order. */
    public List<String> names() { return List.copyOf(trainers.keySet()); }

    /** The trainer of one model; an unknown name is a one-line error listing the known ones. */
    public ContinuousTrainer trainer(String model) {
        ContinuousTrainer t = trainers.get(model);
        if (t == null) throw new IllegalArgumentException("no trained model named '" + model + "'; trainer.models has " + names());
        return t;
    }

    /** The layout a model trains on. */
    public InputLayout layout(String model) { return trainer(model).settings().layout(); }

    /** The models topic now (every model's versions). */
    public ModelVersions catalog() { return trainers.values().iterator().next().catalog(); }

    /** One round of one model now (see {@link ContinuousTrainer#runRound()}); empty when it had nothing new. */
    public Optional<RoundResult> runRound(String model) throws IOException { return trainer(model).runRound(); }

    /** One round of each model now, one after the other in trainer.models order: what each published, if anything. */
    public Map<String, Optional<RoundResult>> runRounds() throws IOException {
        Map<String, Optional<RoundResult>> out = new LinkedHashMap<>();
        for (Map.Entry<String, ContinuousTrainer> e : trainers.entrySet()) out.put(e.getKey(), e.getValue().runRound());
        return out;
    }

    /** Starts every model's rounds, each on its own daemon thread ({@link ContinuousTrainer#start()}). */
    public void start() {
        for (ContinuousTrainer t : trainers.values()) t.start();
    }

    /** Starts one model's rounds. */
    public void start(String model) { trainer(model).start(); }

    /** Stops and closes one model's trainer (it checkpoints a round under way); the others go on. */
    public void close(String model) {
        ContinuousTrainer t = trainer(model);
        if (closed.add(model)) t.close();
    }

    /** Stops and closes every model's trainer still open (each checkpoints a round under way). */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (String model : trainers.keySet()) {
            try {
                close(model);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }
}
