package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;

/** LayerNorm over the last axis, eps 1e-5, with a weight and (when the config says bias) a bias. */
final class LayerNorm extends Layer {

    /** PyTorch's default, which the reference uses. */
    static final float EPS = 1e-5f;

    final Parameter weight; // [embd], starts at one
    final Parameter bias;   // [embd] starting at zero, or null
    private final Shape normalized;
    private volatile NDArray zeroBias; // without a bias: DJL's layerNorm needs a beta; made once, beside the weight

    LayerNorm(long embd, boolean withBias) {
        normalized = new Shape(embd);
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optShape(normalized).build());
        bias = withBias ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(normalized).build()) : null;
    }

    @Override
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? zeroBias(w) : ps.getValue(bias, x.getDevice(), training);
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, w, b, EPS).singletonOrThrow();
    }

    /** Zeros [embd] in the weight's (the model's) manager, made on first use; a race makes two, which is harmless. */
    private NDArray zeroBias(NDArray w) {
        NDArray z = zeroBias;
        if (z == null) {
            z = w.getManager().zeros(normalized, w.getDataType());
            zeroBias = z;
        }
        return z;
    }

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        into.put(prefix + "weight", weight);
        if (bias != null) into.put(prefix + "bias", bias);
    }
}
