package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import java.util.Map;

/** PyTorch's nn.Linear: y = x W^T + b with W as [out, in], so weights copy across unchanged. */
final class Linear extends Layer {

    final Parameter weight; // [out, in]
    final Parameter bias;   // [out], or null without bias
    private final long out;

    /** @param initStd std of the N(0, std) weight init; biases start at zero as in the reference */
    Linear(long in, long out, boolean withBias, float initStd) {
        this.out = out;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in)).optInitializer(new NormalInitializer(initStd)).build());
        bias = withBias ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(out)).build()) : null;
    }

    @Override
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, w).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, w, ps.getValue(bias, x.getDevice(), training)).singletonOrThrow();
    }

    /** gelu_tanh(x W^T + b) in one kernel ({@link FusedLinear}: inference on the CPU). */
    NDArray applyGeluTanh(ParameterStore ps, NDArray x, FusedLinear fused) {
        return fused.geluTanh(x, ps.getValue(weight, x.getDevice(), false), biasValue(ps, x));
    }

    /** x W^T + b + residual in one kernel ({@link FusedLinear}: inference on the CPU). */
    NDArray applyPlus(ParameterStore ps, NDArray x, NDArray residual, FusedLinear fused) {
        return fused.plus(x, ps.getValue(weight, x.getDevice(), false), biasValue(ps, x), residual);
    }

    /**
     * As {@link #applyPlus}, into the residual's storage where it can ({@link FusedLinear#addInto}: no bias): for a
     * residual that nothing reads again.
     */
    NDArray applyInto(ParameterStore ps, NDArray x, NDArray residual, FusedLinear fused) {
        if (bias != null || !FusedLinear.IN_PLACE) return applyPlus(ps, x, residual, fused);
        return fused.addInto(x, ps.getValue(weight, x.getDevice(), false), residual);
    }

    private NDArray biasValue(ParameterStore ps, NDArray x) {
        return bias == null ? null : ps.getValue(bias, x.getDevice(), false);
    }

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        into.put(prefix + "weight", weight);
        if (bias != null) into.put(prefix + "bias", bias);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }
}
