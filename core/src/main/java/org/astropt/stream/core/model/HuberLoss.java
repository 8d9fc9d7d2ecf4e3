package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;

/**
 * AstroPT's training loss, PyTorch's F.huber_loss with delta 1: quadratic near zero, linear
 * beyond, so the few wild pixels of a cosmic ray or a satellite trail do not dominate the loss.
 */
public final class HuberLoss {

    /** The reference's delta: errors beyond one (normalised) unit count linearly. */
    public static final float DELTA = 1f;

    private HuberLoss() {}

    /**
     * Per value: 0.5 d^2 where |d| < delta, else delta (|d| - delta / 2). Same shape as the inputs.
     * Computed as c (|d| - c / 2) with c = min(|d|, delta): the same two branches in six array
     * operations instead of eleven (no comparison, no where, whose backward fills two arrays), and
     * the same rounding: below delta, |d| - |d| / 2 is exact and the one product rounds once, as
     * 0.5 d^2 does; above it, delta (|d| - delta / 2) is the reference's own expression.
     */
    public static NDArray elementwise(NDArray prediction, NDArray target) {
        NDArray a = prediction.sub(target).abs();
        NDArray c = a.minimum(Layer.scalar(a, DELTA));
        return c.mul(a.sub(c.mul(Layer.scalar(a, 0.5f))));
    }

    /** The training loss: the mean over every predicted value, a scalar. */
    public static NDArray mean(NDArray prediction, NDArray target) {
        return elementwise(prediction, target).mean();
    }
}
