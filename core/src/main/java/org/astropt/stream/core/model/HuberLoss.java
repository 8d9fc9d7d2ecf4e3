package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * AstroPT's training loss, PyTorch's F.huber_loss with delta 1: quadratic near zero, linear
 * beyond, so the few wild pixels of a cosmic ray or a satellite trail do not dominate the loss.
 *
 * <p>Both the loss and its gradient come from c = clamp(d, -delta, delta), d = prediction - target:
 * the loss is c (d - c / 2), the gradient c / N. The loss has the reference's rounding: below
 * delta, d - d / 2 is exact and the one product rounds once, as 0.5 d^2 does; beyond it,
 * +-delta (d -+ delta / 2) is delta (|d| - delta / 2), the reference's own expression.
 */
public final class HuberLoss {

    /** The reference's delta: errors beyond one (normalised) unit count linearly. */
    public static final float DELTA = 1f;

    private HuberLoss() {}

    /** Per value: 0.5 d^2 where |d| < delta, else delta (|d| - delta / 2). Same shape as the inputs. */
    public static NDArray elementwise(NDArray prediction, NDArray target) {
        NDArray d = prediction.sub(target);
        NDArray c = clamp(d);
        return c.mul(d.sub(c.mul(Layer.scalar(c, 0.5f))));
    }

    /**
     * The same values, bit for bit, in one pass where {@link FusedHuber} loads, else in three fresh arrays
     * instead of five (two of its five passes are in place): for inference only, where nothing runs
     * backward through it. The surprise score runs it on the largest arrays of a forward pass
     * ([B, T - 1, patch * patch * bands]).
     */
    static NDArray elementwiseInference(NDArray prediction, NDArray target) {
        FusedHuber fused = FusedHuber.get();
        if (fused != null) return fused.perValue(prediction, target);
        return writtenOut(prediction, target);
    }

    /** {@link #elementwiseInference} without {@link FusedHuber}. */
    static NDArray writtenOut(NDArray prediction, NDArray target) {
        NDArray d = prediction.sub(target);
        return ofClampedInPlace(d, clamp(d));
    }

    /** The training loss: the mean over every predicted value, a scalar. */
    public static NDArray mean(NDArray prediction, NDArray target) {
        return elementwise(prediction, target).mean();
    }

    /**
     * One micro-batch's training loss, and its gradient sent back through the graph that made
     * prediction: clamp(d, -delta, delta) / N, which is PyTorch's huber_loss_backward for the mean
     * to the bit, scaled by 1 / microBatches so that micro-batches add up to their mean. Autograd
     * through the six array operations of {@link #elementwise} would cost about ten array passes
     * more, on the largest arrays of a training step ([B, T, patch * patch * bands]). Call it inside
     * the collector's span (gradient recording on).
     *
     * @return the loss before scaling (the mean Huber error of this micro-batch)
     */
    public static float backward(NDArray prediction, NDArray target, int microBatches, GradientCollector collector) {
        if (!(prediction instanceof PtNDArray recorded)) { // another engine: autograd through the loss itself
            NDArray loss = mean(prediction, target);
            collector.backward(microBatches == 1 ? loss : loss.div(Layer.scalar(loss, microBatches)));
            return loss.getFloat();
        }
        NDArray d = prediction.stopGradient().sub(target); // no graph from here: nothing here needs backward
        NDArray c = clamp(d);
        NDArray gradient = c.mul(Layer.scalar(c, (float) (1.0 / ((double) d.size() * microBatches))));
        float loss = ofClampedInPlace(d, c).mean().getFloat();
        JniUtils.backward(recorded, (PtNDArray) gradient, false, false);
        return loss;
    }

    /**
     * clamp(d, -delta, delta) in one pass. DJL makes the bounds arrays in d's manager, which keeps
     * them alive as long as d (see {@link Layer#scalar} for why that matters to backward).
     */
    private static NDArray clamp(NDArray d) {
        return d.clip(-DELTA, DELTA);
    }

    /** c (d - c / 2) into d: the Huber error of d given c = clamp(d, -delta, delta); d is overwritten. */
    private static NDArray ofClampedInPlace(NDArray d, NDArray c) {
        NDArray half = c.mul(Layer.scalar(c, 0.5f));
        d.subi(half).muli(c);
        half.close();
        return d;
    }
}
