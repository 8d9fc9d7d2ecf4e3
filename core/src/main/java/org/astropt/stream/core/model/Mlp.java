package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;

/** The block's feed-forward part: Linear(E -> 4E), tanh-approximated GELU, Linear(4E -> E). */
final class Mlp extends Layer {

    /** 2 sqrt(2/pi) and 0.044715 times it: tanh(z) = 2 sigmoid(2 z) - 1 folds the halving into the constants. */
    private static final float GELU_A = (float) (2 * Math.sqrt(2.0 / Math.PI));
    private static final float GELU_B = (float) (0.044715 * 2 * Math.sqrt(2.0 / Math.PI));

    private final ModelConfig config;
    private final Linear cFc;
    private final Linear cProj;

    Mlp(ModelConfig config) {
        this.config = config;
        int e = config.nEmbd();
        cFc = addChildBlock("c_fc", new Linear(e, 4L * e, config.bias(), AstroPTBlock.INIT_STD));
        cProj = addChildBlock("c_proj", new Linear(4L * e, e, config.bias(), AstroPTBlock.residualInitStd(config)));
    }

    @Override
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = hidden(ps, x, FusedLinear.forInference(x, training), training);
        return dropout(cProj.apply(ps, h, training), config.dropout(), training);
    }

    /**
     * residual + this(x); on the CPU in inference the sum is done inside c_proj's kernel ({@link FusedLinear}),
     * into the residual's own storage where c_proj has no bias ({@link Linear#applyInto}): the caller's
     * residual, the block's intermediate, is not read again.
     */
    NDArray plus(ParameterStore ps, NDArray x, NDArray residual, boolean training) {
        FusedLinear fused = FusedLinear.forInference(x, training);
        if (fused == null) return residual.add(apply(ps, x, training));
        NDArray h = hidden(ps, x, fused, false);
        NDArray y = cProj.applyInto(ps, h, residual, fused);
        h.close(); // the widest array: freed before the next block
        return y;
    }

    /** gelu_tanh(c_fc(x)), [B, T, 4E]: in one kernel where fused ({@link FusedLinear#forInference}) is not null. */
    private NDArray hidden(ParameterStore ps, NDArray x, FusedLinear fused, boolean training) {
        if (fused != null) return cFc.applyGeluTanh(ps, x, fused);
        NDArray up = cFc.apply(ps, x, training);
        if (training) return geluTanhStraightThrough(up);
        NDArray h = geluTanhInPlace(up);
        up.close(); // inference: nothing reads it again; frees the widest array before c_proj
        return h;
    }

    /**
     * GELU(x) ~ 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), PyTorch's approximate='tanh'
     * (nn.GELU(approximate='tanh') in the reference); DJL's gelu is the exact erf form. Computed as
     * x sigmoid(x (A + B x^2)) with A = 2 sqrt(2/pi), B = 0.044715 A, which is the same function
     * (0.5 (1 + tanh(z)) = sigmoid(2 z)) in six array operations instead of nine: DJL 0.36 reaches
     * no fused tanh-GELU, so the number of passes over the MLP's widest array is what counts. The
     * reference form that {@link #geluTanhStraightThrough} (training) and {@link #geluTanhInPlace}
     * (inference) round exactly as.
     */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = x.mul(x).mul(scalar(x, GELU_B)).add(scalar(x, GELU_A)).mul(x); // x (A + B x^2)
        return x.mul(Activation.sigmoid(inner));
    }

    /**
     * The same GELU for training, with the same forward values (bit for bit, a zero's sign aside: -0 + 0
     * is +0) and its exact derivative, in three recorded operations instead of six: y = gelu(x) + (x - x') gelu'(x), where x' is x
     * detached. x - x' is exactly zero, so y is {@link #geluTanhInPlace}'s value; autograd sees only
     * a subtraction, a product by the constant gelu'(x) and an addition, so backward is one product
     * (grad gelu'(x)) where autograd through the six operations takes about eleven passes and as
     * many fresh arrays. PyTorch runs one fused gelu_backward here, which DJL 0.36 cannot reach.
     * gelu'(x) = s + x s (1 - s) (A + 3 B x^2) with s = sigmoid(x (A + B x^2)), computed without
     * recording, mostly in place.
     */
    static NDArray geluTanhStraightThrough(NDArray x) {
        NDArray detached = x.stopGradient();                                 // same storage, nothing recorded on it
        NDArray square = detached.mul(detached);                              // x^2
        NDArray inner = square.mul(scalar(x, GELU_B));
        inner.addi(scalar(x, GELU_A)).muli(detached);                         // x (A + B x^2), rounded as geluTanh
        NDArray s = Activation.sigmoid(inner);
        inner.close();
        NDArray value = detached.mul(s);                                      // x s: geluTanh's value
        square.muli(scalar(x, 3 * GELU_B)).addi(scalar(x, GELU_A));            // A + 3 B x^2
        NDArray slope = s.mul(value).subi(value).muli(square);                // -x s (1 - s) (A + 3 B x^2)
        square.close();
        NDArray derivative = s.subi(slope);                                   // s + x s (1 - s) (A + 3 B x^2)
        slope.close();
        NDArray y = x.sub(detached).muli(derivative).addi(value);             // recorded: zero times gelu'(x), plus the value
        value.close();
        return y;
    }

    /**
     * The same GELU with the same rounding (the same products and sums in the same order) on two
     * [B, T, 4E] arrays instead of six, for inference only: backward needs the intermediates that
     * in-place operations overwrite. The MLP's widest arrays are these, so fewer fresh allocations
     * means fewer page faults on every large batch. The input is left as it was.
     */
    static NDArray geluTanhInPlace(NDArray x) {
        NDArray inner = x.mul(x);                                             // x^2
        inner.muli(scalar(x, GELU_B)).addi(scalar(x, GELU_A)).muli(x);       // x (A + B x^2)
        NDArray y = Activation.sigmoid(inner);
        inner.close();
        return y.muli(x);                                                     // x sigmoid(...) (x on the right: same product)
    }

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        cFc.nameParameters(prefix + "c_fc.", into);
        cProj.nameParameters(prefix + "c_proj.", into);
    }
}
