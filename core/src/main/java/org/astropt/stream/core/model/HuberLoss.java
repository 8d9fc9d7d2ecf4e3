package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * AstroPT's training loss, PyTorch's F.huber_loss with delta 1: quadratic near zero, linear
 * beyond, so the few wild pixels of a cosmic ray or a satellite trail do not dominate the loss.
 */
public final class HuberLoss {

    /** The reference's delta: errors beyond one (normalised) unit count linearly. */
    public static final float DELTA = 1f;

    private HuberLoss() {}

    /** Per value: 0.5 d^2 where |d| < delta, else delta (|d| - delta / 2). Same shape as the inputs. */
    public static NDArray elementwise(NDArray prediction, NDArray target) {
        NDArray d = prediction.sub(target);
        NDArray a = d.abs();
        NDArray half = Layer.scalar(d, 0.5f);
        NDArray delta = Layer.scalar(d, DELTA);
        NDArray quadratic = d.mul(d).mul(half);
        NDArray linear = a.sub(delta.mul(half)).mul(delta);
        return NDArrays.where(a.lt(delta), quadratic, linear);
    }

    /** The training loss: the mean over every predicted value, a scalar. */
    public static NDArray mean(NDArray prediction, NDArray target) {
        return elementwise(prediction, target).mean();
    }
}
