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
        NDArray up = cFc.apply(ps, x, training);             // [B, T, 4E]
        NDArray h;
        if (training) {
            h = geluTanh(up);
        } else {
            h = geluTanhInPlace(up);
            up.close(); // inference: nothing reads it again; frees the widest array before c_proj
        }
        return dropout(cProj.apply(ps, h, training), config.dropout(), training);
    }

    /**
     * GELU(x) ~ 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), PyTorch's approximate='tanh'
     * (nn.GELU(approximate='tanh') in the reference); DJL's gelu is the exact erf form. Computed as
     * x sigmoid(x (A + B x^2)) with A = 2 sqrt(2/pi), B = 0.044715 A, which is the same function
     * (0.5 (1 + tanh(z)) = sigmoid(2 z)) in six array operations instead of nine: DJL 0.36 reaches
     * no fused tanh-GELU, so the number of passes over the MLP's widest array is what counts.
     */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = x.mul(x).mul(scalar(x, GELU_B)).add(scalar(x, GELU_A)).mul(x); // x (A + B x^2)
        return x.mul(Activation.sigmoid(inner));
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
