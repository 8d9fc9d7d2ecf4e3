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
        cFc = addChildBlock("c_fc", new Linear(e, 4L * e, config.bias(), AstroPT.INIT_STD));
        cProj = addChildBlock("c_proj", new Linear(4L * e, e, config.bias(), AstroPT.residualInitStd(config)));
    }

    @Override
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = geluTanh(cFc.apply(ps, x, training));   // [B, T, 4E]
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

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        cFc.nameParameters(prefix + "c_fc.", into);
        cProj.nameParameters(prefix + "c_proj.", into);
    }
}
