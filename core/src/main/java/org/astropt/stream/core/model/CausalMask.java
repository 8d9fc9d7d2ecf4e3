package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The additive causal mask of one model, built once per sequence length and shared by every
 * attention layer and every batch (PyTorch keeps it as a buffer; building it per call cost seven
 * small operations per layer). The arrays live in the weights' manager and go with the model.
 * Safe for the Embedder's many threads.
 */
final class CausalMask {

    private final Map<Long, NDArray> byLength = new ConcurrentHashMap<>();

    /** [T, T]: 0 where key index <= query index, -inf after it; owned by longLived (the weights' manager). */
    NDArray bias(NDManager longLived, long t) {
        return byLength.computeIfAbsent(t, length -> build(longLived, length));
    }

    /** DJL has no tril, so the mask comes from comparing indices; it is added, because DJL's where does not broadcast. */
    static NDArray build(NDManager manager, long t) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray idx = scratch.arange((int) t);
            NDArray visible = idx.reshape(t, 1).gte(idx.reshape(1, t));
            Shape square = new Shape(t, t);
            NDArray bias = NDArrays.where(visible, scratch.zeros(square), scratch.full(square, Float.NEGATIVE_INFINITY));
            bias.attach(manager);
            return bias;
        }
    }
}
