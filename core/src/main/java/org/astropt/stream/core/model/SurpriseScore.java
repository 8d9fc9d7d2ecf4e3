package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * The model's own anomaly signal: how badly it predicts a cutout's next patches, as the mean
 * Huber error of predictions 0..T-2 against tokens 1..T-1. A galaxy unlike the training set
 * (or an artefact) scores high.
 */
public final class SurpriseScore {

    private SurpriseScore() {}

    /**
     * Mean Huber error per predicted position, [B, T - 1]; a padded batch averages only each
     * sequence's real positions (its first length - 1). For inference: nothing can run backward
     * through it.
     *
     * @param prediction [B, T, D] from the network
     * @param tokens     [B, T, D] its input
     */
    public static NDArray perPosition(NDArray prediction, NDArray tokens) {
        long t = tokens.getShape().get(1);
        NDArray predicted = prediction.get(new NDIndex(":, 0:{}", t - 1)); // guesses for tokens 1..T-1
        NDArray actual = tokens.get(new NDIndex(":, 1:{}", t));
        return HuberLoss.elementwiseInference(predicted, actual).mean(new int[] {2});
    }

    /** Per-cutout score of an unpadded batch, [B]. */
    public static NDArray of(NDArray prediction, NDArray tokens) {
        return perPosition(prediction, tokens).mean(new int[] {1});
    }
}
