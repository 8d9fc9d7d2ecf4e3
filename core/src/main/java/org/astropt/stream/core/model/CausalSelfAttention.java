package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;

/**
 * Multi-head self-attention where token t sees tokens 0..t only. Because of that, padding added
 * after a sequence's last token never changes the outputs at its real positions.
 */
final class CausalSelfAttention extends Layer {

    private final ModelConfig config;
    private final Linear cAttn; // [embd] -> [3 * embd]: q, k, v for all heads at once
    private final Linear cProj; // [embd] -> [embd]

    private final CausalMask mask;

    CausalSelfAttention(ModelConfig config, CausalMask mask) {
        this.config = config;
        this.mask = mask;
        int e = config.nEmbd();
        cAttn = addChildBlock("c_attn", new Linear(e, 3L * e, config.bias(), AstroPTBlock.INIT_STD));
        cProj = addChildBlock("c_proj", new Linear(e, e, config.bias(), AstroPTBlock.residualInitStd(config)));
    }

    @Override
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return dropout(cProj.apply(ps, attend(ps, x, training), training), config.dropout(), training);
    }

    /** residual + this(x); on the CPU in inference the sum is done inside c_proj's kernel ({@link FusedLinear}). */
    NDArray plus(ParameterStore ps, NDArray x, NDArray residual, boolean training) {
        FusedLinear fused = FusedLinear.forInference(x, training);
        return fused == null ? residual.add(apply(ps, x, training)) : cProj.applyPlus(ps, attend(ps, x, false), residual, fused);
    }

    /** The heads' outputs side by side, [B, T, E]: what c_proj reads. */
    private NDArray attend(ParameterStore ps, NDArray x, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDList qkv = cAttn.apply(ps, x, training).split(3, 2);   // [B, T, 3E] -> 3 x [B, T, E]
        NDArray q = heads(qkv.get(0), b, t);                     // [B, H, T, hd]
        NDArray k = heads(qkv.get(1), b, t);
        NDArray v = heads(qkv.get(2), b, t);
        FusedAttention fused = (training && config.dropout() > 0) ? null : FusedAttention.get();
        NDArray y = fused != null ? fused.apply(q, k, v, training) : explicit(q, k, v, t, training);
        return y.transpose(0, 2, 1, 3).reshape(b, t, config.nEmbd());
    }

    /**
     * softmax(q k^T / sqrt(hd) + causal mask) v written out, the [B, H, T, T] scores and probabilities
     * as arrays: where {@link FusedAttention} is unavailable, and with attention dropout in training.
     */
    private NDArray explicit(NDArray q, NDArray k, NDArray v, long t, boolean training) {
        // q scaled before the product: the same 1/sqrt(hd), on an array T/hd times smaller.
        NDArray scaled = q.mul(scalar(q, (float) (1.0 / Math.sqrt(config.headDim()))));
        NDArray scores = scaled.matMul(k.transpose(0, 1, 3, 2)); // [B, H, T, T], the largest array
        scores.addi(mask.bias(cAttn.weight.getArray().getManager(), t)); // in place: one [B, H, T, T] fewer; future keys -> -inf
        NDArray att = scores.softmax(3);
        if (!training) scores.close();                            // inference: one [B, H, T, T] alive at a time
        att = dropout(att, config.dropout(), training);
        NDArray y = att.matMul(v);                                // [B, H, T, hd]
        if (!training) att.close();
        return y;
    }

    /** [B, T, E] -> [B, H, T, hd] */
    private NDArray heads(NDArray x, long b, long t) {
        return x.reshape(b, t, config.nHead(), config.headDim()).transpose(0, 2, 1, 3);
    }

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        cAttn.nameParameters(prefix + "c_attn.", into);
        cProj.nameParameters(prefix + "c_proj.", into);
    }
}
