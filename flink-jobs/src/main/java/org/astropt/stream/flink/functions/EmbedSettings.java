package org.astropt.stream.flink.functions;

import java.io.Serializable;

/**
 * What the embed operator needs to know; Serializable, so it travels with the job graph.
 *
 * @param batchSize          sequences per forward pass (N): larger batches use the model better, up to memory
 * @param batchDelayMs       longest a sequence waits for its batch to fill (T), in ms: bounds latency at low rates
 * @param forwardBatchSize   sequences per libtorch call inside one batch (Embedder's batch size)
 * @param modelName          models served (keys on astropt.models): one name, or several separated by commas, each
 *                           served at once (its PROMOTED version) for the sequences of its layout; null serves
 *                           every name seen
 * @param initialModelDir  a checkpoint folder served as version 0 until a PROMOTED version arrives; null waits
 * @param maxWaiting         most sequences held while no model is known; beyond it the operator stops
 *                           reading sequences (backpressure) until one is
 * @param publishStatus      whether this operator publishes REJECTED records to the models topic
 * @param inFlight           micro-batches handed to the inference thread at a time (one in the model, the rest
 *                           formed and waiting); 0 runs the forward pass on the task thread itself
 */
public record EmbedSettings(int batchSize, long batchDelayMs, int forwardBatchSize, String modelName,
        String initialModelDir, int maxWaiting, boolean publishStatus, int inFlight) implements Serializable {

    public EmbedSettings {
        if (batchSize < 1) throw new IllegalArgumentException("pipeline.batch-size must be at least 1, not " + batchSize);
        if (batchDelayMs < 0) throw new IllegalArgumentException("pipeline.batch-delay-ms must not be negative, not " + batchDelayMs);
        if (inFlight < 0) throw new IllegalArgumentException("pipeline.inference-in-flight must not be negative, not " + inFlight);
    }

    /** The names {@code modelName} lists, in order; empty when every name is served. */
    public java.util.List<String> modelNames() {
        if (modelName == null || modelName.isBlank()) return java.util.List.of();
        return java.util.Arrays.stream(modelName.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
    }

    /** Whether versions of this name are served. */
    public boolean serves(String name) {
        java.util.List<String> names = modelNames();
        return names.isEmpty() || names.contains(name);
    }

    /** Batches of 32 or 50 ms, any model name, no initial model, two batches in flight on the inference thread. */
    public static EmbedSettings defaults() {
        return new EmbedSettings(32, 50, 32, null, null, 10_000, true, 2);
    }

    public EmbedSettings withInitialModel(String dir) {
        return new EmbedSettings(batchSize, batchDelayMs, forwardBatchSize, modelName, dir, maxWaiting, publishStatus, inFlight);
    }

    public EmbedSettings withInFlight(int batches) {
        return new EmbedSettings(batchSize, batchDelayMs, forwardBatchSize, modelName, initialModelDir, maxWaiting, publishStatus, batches);
    }

    public EmbedSettings withBatch(int size, long delayMs) {
        return new EmbedSettings(size, delayMs, forwardBatchSize, modelName, initialModelDir, maxWaiting, publishStatus, inFlight);
    }

    /**
     * These settings for a backfill with one version of {@code name}: that name only, no initial model (nothing
     * but the pinned version embeds), no REJECTED records (a backfill does not judge a serving version; it
     * fails when its version does not load), and at most {@code maxWaiting} sequences held while it loads.
     */
    public EmbedSettings pinnedTo(String name, int maxWaiting) {
        return new EmbedSettings(batchSize, batchDelayMs, forwardBatchSize, name, null, maxWaiting, false, inFlight);
    }
}
