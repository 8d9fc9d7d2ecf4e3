package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;

/** One pre-LayerNorm block: x += attn(ln_1(x)); x += mlp(ln_2(x)). Shape [B, T, E] throughout. */
final class TransformerBlock extends Layer {

    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Mlp mlp;

    TransformerBlock(ModelConfig config) {
        ln1 = addChildBlock("ln_1", new LayerNorm(config.nEmbd(), config.bias()));
        attn = addChildBlock("attn", new CausalSelfAttention(config));
        ln2 = addChildBlock("ln_2", new LayerNorm(config.nEmbd(), config.bias()));
        mlp = addChildBlock("mlp", new Mlp(config));
    }

    @Override
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        x = x.add(attn.apply(ps, ln1.apply(ps, x, training), training));
        return x.add(mlp.apply(ps, ln2.apply(ps, x, training), training));
    }

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        ln1.nameParameters(prefix + "ln_1.", into);
        attn.nameParameters(prefix + "attn.", into);
        ln2.nameParameters(prefix + "ln_2.", into);
        mlp.nameParameters(prefix + "mlp.", into);
    }
}
