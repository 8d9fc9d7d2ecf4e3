package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;

/** One pre-LayerNorm block: x += attn(ln_1(x)); x += mlp(ln_2(x)). Shape [B, T, E] throughout. */
final class TransformerBlock extends Layer {

    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Mlp mlp;

    TransformerBlock(ModelConfig config, CausalMask mask) {
        ln1 = addChildBlock("ln_1", new LayerNorm(config.nEmbd(), config.bias()));
        attn = addChildBlock("attn", new CausalSelfAttention(config, mask));
        ln2 = addChildBlock("ln_2", new LayerNorm(config.nEmbd(), config.bias()));
        mlp = addChildBlock("mlp", new Mlp(config));
    }

    @Override
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        if (training) return residual(ps, x, true); // backward needs the intermediates: the batch keeps them
        // Inference: the block's intermediates (attention scores of [B, H, T, T] above all) are
        // freed when the block is done, so a batch holds one block's working set, not n_layer.
        NDManager batch = x.getManager();
        try (NDManager scope = batch.newSubManager()) {
            x.tempAttach(scope); // results land in scope; x returns to batch on close
            NDArray out = residual(ps, x, false);
            out.attach(batch);
            return out;
        }
    }

    private NDArray residual(ParameterStore ps, NDArray x, boolean training) {
        x = attn.plus(ps, ln1.apply(ps, x, training), x, training);
        return mlp.plus(ps, ln2.apply(ps, x, training), x, training);
    }

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        ln1.nameParameters(prefix + "ln_1.", into);
        attn.nameParameters(prefix + "attn.", into);
        ln2.nameParameters(prefix + "ln_2.", into);
        mlp.nameParameters(prefix + "mlp.", into);
    }
}
