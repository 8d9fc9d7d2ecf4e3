package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;

/** The block's feed-forward part: Linear(E -> 4E), tanh-approximated GELU, Linear(4E -> E). */
final class Mlp extends Layer {

    private static final float GELU_CUBIC = 0.044715f;
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

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
     * (nn.GELU(approximate='tanh') in the reference); DJL's gelu is the exact erf form.
     */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = x.add(x.mul(x).mul(x).mul(scalar(x, GELU_CUBIC))).mul(scalar(x, SQRT_2_OVER_PI));
        return x.mul(scalar(x, 0.5f)).mul(inner.tanh().add(scalar(x, 1f)));
    }

    /**
     * The same GELU with the same rounding (products and sums in the same order; halving is exact)
     * on two [B, T, 4E] arrays instead of eight, for inference only: backward needs the
     * intermediates that in-place operations overwrite. The MLP's widest arrays are these, so
     * fewer fresh allocations means fewer page faults on every large batch.
     */
    static NDArray geluTanhInPlace(NDArray x) {
        NDArray inner = x.mul(x);                                                  // x^2
        inner.muli(x).muli(scalar(x, GELU_CUBIC)).addi(x).muli(scalar(x, SQRT_2_OVER_PI)); // sqrt(2/pi) (x + c x^3)
        NDArray y = inner.tanh();
        inner.close();
        return y.addi(scalar(x, 1f)).muli(x).muli(scalar(x, 0.5f));               // 0.5 x (1 + tanh(...))
    }

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        cFc.nameParameters(prefix + "c_fc.", into);
        cProj.nameParameters(prefix + "c_proj.", into);
    }
}
