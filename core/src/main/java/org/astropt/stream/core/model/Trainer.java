package org.astropt.stream.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains an AstroPT network to predict each next patch, as the reference does: Huber loss,
 * AdamW, gradient clipping, warm-up then cosine decay, gradient accumulation, and a periodic
 * validation loss on held-out sequences.
 *
 * <p>A token sequence is a float[T][D] (tokens in sequence order, D = patch * patch * bands); the
 * network reads tokens 0..T-2 and is scored on 1..T-1. A batch holds sequences of one length (a
 * survey's cutouts share a crop size, so one length is the usual case), so no padding enters the
 * loss. Runs on the calling thread; libtorch's intra-op threads (ai.djl.pytorch.num_threads, by
 * default one per core) do the parallel work.
 */
public final class Trainer implements AutoCloseable {

    /**
     * @param batchSize    sequences per micro-batch
     * @param accumulation micro-batches per optimizer step (effective batch = batchSize * accumulation)
     * @param maxSteps     optimizer steps to run
     * @param schedule     learning rate per step
     * @param gradClip     global gradient-norm limit (the reference's 1.0)
     * @param optimizer    AdamW betas, eps and weight decay
     * @param evalInterval steps between validation losses (and after the last step); 0 for none
     * @param evalBatches  validation batches per evaluation, at most
     */
    public record Settings(int batchSize, int accumulation, int maxSteps, LrSchedule schedule, double gradClip,
                           AdamW.Settings optimizer, int evalInterval, int evalBatches) {

        /** The reference's choices for a peak lr: clip 1.0, AstroPT's AdamW, warm-up over 5% of the steps. */
        public static Settings astropt(double peakLr, int batchSize, int accumulation, int maxSteps) {
            return new Settings(batchSize, accumulation, maxSteps, LrSchedule.of(peakLr, maxSteps / 20, maxSteps),
                    1.0, AdamW.Settings.ASTROPT, Math.max(1, maxSteps / 10), 20);
        }
    }

    /** Where training stands after a step; validationLoss is NaN between evaluations. */
    public record Progress(int step, int maxSteps, float loss, float validationLoss, double learningRate,
                           double tokensPerSecond, Duration eta) {}

    /** Sequences split once into training and held-out validation sets. */
    public record Split(List<float[][]> train, List<float[][]> validation) {

        /** A seeded shuffle, then the first validationFraction (at least one sequence) held out. */
        public static Split of(List<float[][]> sequences, double validationFraction, long seed) {
            List<float[][]> shuffled = new ArrayList<>(sequences);
            Collections.shuffle(shuffled, new Random(seed));
            int held = Math.max(1, (int) Math.round(shuffled.size() * validationFraction));
            return new Split(List.copyOf(shuffled.subList(held, shuffled.size())), List.copyOf(shuffled.subList(0, held)));
        }

        /**
         * Held out by object id: a sequence is validation when {@link #idHash} of its id is below
         * validationFraction. The side an object lands on depends on its id alone, not on the order
         * or on which other objects exist, so it stays put as a survey grows and across runs. With a
         * fraction above 0 at least one sequence (the smallest hash) is held out. The training part
         * is shuffled with seed, so batches mix objects whatever order they came in.
         *
         * @param ids       object ids, one per sequence
         * @param sequences float[T][D] token sequences
         */
        public static Split byId(List<String> ids, List<float[][]> sequences, double validationFraction, long seed) {
            if (ids.size() != sequences.size()) {
                throw new IllegalArgumentException(ids.size() + " ids for " + sequences.size() + " sequences");
            }
            if (!(validationFraction >= 0 && validationFraction < 1)) {
                throw new IllegalArgumentException("validation fraction " + validationFraction + " is outside [0, 1)");
            }
            List<float[][]> train = new ArrayList<>();
            List<float[][]> validation = new ArrayList<>();
            int smallest = -1;
            double smallestHash = 2;
            for (int i = 0; i < ids.size(); i++) {
                double h = idHash(ids.get(i));
                (h < validationFraction ? validation : train).add(sequences.get(i));
                if (h < smallestHash) {
                    smallestHash = h;
                    smallest = i;
                }
            }
            if (validation.isEmpty() && validationFraction > 0 && train.size() > 1) {
                validation.add(sequences.get(smallest));
                train.remove(sequences.get(smallest));
            }
            Collections.shuffle(train, new Random(seed));
            return new Split(List.copyOf(train), List.copyOf(validation));
        }

        /** An id's place in [0, 1): the first 8 bytes of SHA-256 of its UTF-8 bytes, as a fraction of 2^64. */
        public static double idHash(String id) {
            byte[] digest;
            try {
                digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
            long bits = 0;
            for (int i = 0; i < 8; i++) bits = bits << 8 | (digest[i] & 0xff);
            return (bits >>> 11) * 0x1.0p-53; // top 53 bits: exactly representable, < 1
        }
    }

    private final AstroPTModel model;
    private final Settings settings;
    private final AdamW optimizer;

    /**
     * DJL's PyTorch engine collects gradients for one caller at a time per JVM (a second PtGradientCollector is an
     * IllegalStateException), so trainers in one JVM (the local stack's, one per model) take turns, a step's forward
     * and backward at a time.
     */
    private static final java.util.concurrent.locks.ReentrantLock GRADIENTS = new java.util.concurrent.locks.ReentrantLock();

    public Trainer(AstroPTModel model, Settings settings) {
        this.model = model;
        this.settings = settings;
        this.optimizer = new AdamW(model, settings.optimizer());
    }

    /** The optimizer, for checkpointing its moments between steps (the trainer service resumes from them). */
    public AdamW optimizer() { return optimizer; }

    /**
     * One optimizer step: forward and backward over each micro-batch (gradients add up, each
     * loss scaled by 1 / micro-batches), clip, AdamW at lr.
     *
     * @param microBatches whole sequences [B, T, D], each in a manager the caller closes
     * @return the mean loss of the micro-batches before the step
     */
    public float step(List<NDArray> microBatches, double lr) {
        float total = 0;
        GRADIENTS.lock();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (NDArray batch : microBatches) {
                long t = batch.getShape().get(1);
                NDArray prediction = prediction(batch.get(new NDIndex(":, 0:{}", t - 1)), true);
                total += HuberLoss.backward(prediction, batch.get(new NDIndex(":, 1:{}", t)), microBatches.size(), collector);
            }
        } finally {
            GRADIENTS.unlock();
        }
        if (settings.gradClip() > 0) optimizer.clipGradientNorm(settings.gradClip());
        optimizer.step(lr);
        return total / microBatches.size();
    }

    /** Huber loss of predicting tokens 1..T-1 from 0..T-2 of batch [B, T, D]; a scalar. */
    private NDArray loss(NDArray batch, boolean training) {
        long t = batch.getShape().get(1);
        return HuberLoss.mean(prediction(batch.get(new NDIndex(":, 0:{}", t - 1)), training), batch.get(new NDIndex(":, 1:{}", t)));
    }

    /** The network's prediction [B, T, D] for input [B, T, D], in the input's manager. */
    private NDArray prediction(NDArray input, boolean training) {
        ParameterStore ps = model.parameterStore(input.getManager());
        return model.network().forward(ps, input, training).prediction();
    }

    /** Mean loss over up to evalBatches batches of sequences, without gradients. */
    public float evaluate(Iterable<float[][]> sequences) {
        AstroPTModel.disableGradientsOnThisThread();
        Batches batches = new Batches(sequences, settings.batchSize(), model.config().blockSize() + 1, false);
        double sum = 0;
        int n = 0;
        for (List<float[][]> b; n < settings.evalBatches() && (b = batches.next()) != null; n++) {
            try (NDManager m = model.newBatchManager()) {
                sum += loss(TokenBatch.stack(m, b), false).getFloat();
            }
        }
        return n == 0 ? Float.NaN : (float) (sum / n);
    }

    /**
     * The loop: settings.maxSteps() optimizer steps over train (re-read from the start when it
     * runs out), validation every evalInterval steps, progress after every step.
     *
     * @return the progress after the last step
     */
    public Progress run(Iterable<float[][]> train, Iterable<float[][]> validation, Consumer<Progress> listener) {
        Batches batches = new Batches(train, settings.batchSize(), model.config().blockSize() + 1, true);
        long started = System.nanoTime();
        long tokens = 0;
        Progress last = null;
        for (int s = 0; s < settings.maxSteps(); s++) {
            double lr = settings.schedule().at(s);
            float loss;
            try (NDManager m = model.newBatchManager()) {
                List<NDArray> micro = new ArrayList<>();
                for (int a = 0; a < settings.accumulation(); a++) {
                    NDArray batch = TokenBatch.stack(m, batches.next());
                    tokens += batch.getShape().get(0) * (batch.getShape().get(1) - 1);
                    micro.add(batch);
                }
                loss = step(micro, lr);
            }
            boolean evaluate = settings.evalInterval() > 0
                    && ((s + 1) % settings.evalInterval() == 0 || s + 1 == settings.maxSteps());
            float validationLoss = evaluate ? evaluate(validation) : Float.NaN;
            double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-9);
            Duration eta = Duration.ofMillis((long) (seconds / (s + 1) * (settings.maxSteps() - s - 1) * 1000));
            last = new Progress(s + 1, settings.maxSteps(), loss, validationLoss, lr, tokens / seconds, eta);
            listener.accept(last);
        }
        return last;
    }

    @Override
    public void close() { optimizer.close(); }

    /** Groups sequences of equal length into batches; skips those too short or too long to train on. */
    private static final class Batches {
        private final Iterable<float[][]> source;
        private final int batchSize;
        private final int maxLength;
        private final boolean cycle;
        private final Map<Integer, List<float[][]>> byLength = new HashMap<>();
        private Iterator<float[][]> it;
        private boolean sawAny;

        Batches(Iterable<float[][]> source, int batchSize, int maxLength, boolean cycle) {
            this.source = source;
            this.batchSize = batchSize;
            this.maxLength = maxLength;
            this.cycle = cycle;
            this.it = source.iterator();
        }

        /** The next full batch; at the end of a non-cycling source the partial ones, then null. */
        List<float[][]> next() {
            while (true) {
                while (it.hasNext()) {
                    float[][] seq = it.next();
                    if (seq.length < 2 || seq.length > maxLength) continue;
                    sawAny = true;
                    List<float[][]> bucket = byLength.computeIfAbsent(seq.length, k -> new ArrayList<>());
                    bucket.add(seq);
                    if (bucket.size() == batchSize) return byLength.remove(seq.length);
                }
                if (!cycle) {
                    Iterator<Integer> keys = byLength.keySet().iterator();
                    return keys.hasNext() ? byLength.remove(keys.next()) : null;
                }
                if (!sawAny) {
                    throw new IllegalArgumentException("the training source has no sequence of 2 to " + maxLength + " tokens");
                }
                it = source.iterator(); // next epoch
            }
        }
    }
}
