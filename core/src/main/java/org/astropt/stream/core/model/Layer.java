package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * A DJL block of this network: one array in, one array out, parameters with fixed shapes (so no
 * shape inference is needed) and reference names (so checkpoints map one to one).
 */
abstract class Layer extends AbstractBlock {

    /** [..., in] -> [..., out]; what every layer of this network computes. */
    abstract NDArray apply(ParameterStore ps, NDArray x, boolean training);

    /** Adds this layer's parameters under their reference state_dict names, prefix included. */
    abstract void nameParameters(String prefix, Map<String, Parameter> into);

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                           PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    /** Every parameter has its shape from the config, so children need no input shapes. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block child : getChildren().values()) child.initialize(manager, dataType, inputShapes);
    }

    /**
     * A scalar as an array in x's manager. DJL's mul(Number) wraps the number over a Java buffer
     * that the GC may free before backward runs (random NaNs in training), so scalars are arrays.
     */
    static NDArray scalar(NDArray x, float value) {
        return x.getManager().create(value);
    }

    static NDArray dropout(NDArray x, double rate, boolean training) {
        return training && rate > 0 ? Dropout.dropout(x, (float) rate, true).singletonOrThrow() : x;
    }
}
