package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AstroPT v1 as a DJL {@code Block} (Smith et al. 2024; a nanoGPT descendant): it reads a sequence of
 * image-patch tokens and predicts each next patch.
 *
 * <pre>
 * tokens [B, T, D]  (D = patch * patch * bands)
 *   wte: Linear(D -> E), ReLU, Linear(E -> E), ReLU     + wpe[0..T)   (learned positions)
 *   h.0 .. h.{L-1}: pre-LayerNorm causal blocks          -> block outputs [B, T, E]
 *   ln_f, lm_head: Linear(E -> 2E), ReLU, Linear(2E -> E), ReLU, Linear(E -> D)
 * prediction [B, T, D]: position t predicts token t + 1
 * </pre>
 *
 * Create one with {@link AstroPTModel}, which owns the native memory. Parameter names follow the
 * reference state_dict ({@link #namedParameters()}), so checkpoints move both ways.
 */
public final class AstroPTBlock extends Layer {

    /** The reference's init: N(0, 0.02) for Linear weights and positions. */
    static final float INIT_STD = 0.02f;

    private final ModelConfig config;
    private final Linear wte0;   // [D] -> [E]
    private final Linear wte2;   // [E] -> [E]
    private final Parameter wpe; // [block_size, E]
    private final List<TransformerBlock> h = new ArrayList<>();
    private final LayerNorm lnF;
    private final Linear head0;  // [E] -> [2E]
    private final Linear head2;  // [2E] -> [E]
    private final Linear head4;  // [E] -> [D]
    private final Map<String, Parameter> named = new LinkedHashMap<>();

    /** The network's outputs for one batch: predictions and every block's output. */
    public record Forward(NDArray prediction, List<NDArray> blockOutputs) {

        /** The last block's output, before ln_f: [B, T, E]. */
        public NDArray hidden() { return blockOutputs.get(blockOutputs.size() - 1); }
    }

    public AstroPTBlock(ModelConfig config) {
        this.config = config;
        int e = config.nEmbd();
        int d = config.tokenDim();
        wte0 = addChildBlock("wte_0", new Linear(d, e, true, INIT_STD));
        wte2 = addChildBlock("wte_2", new Linear(e, e, true, INIT_STD));
        wpe = addParameter(Parameter.builder().setName("wpe").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.blockSize(), e)).optInitializer(new NormalInitializer(INIT_STD)).build());
        CausalMask mask = new CausalMask(); // one per model, shared by its layers
        for (int i = 0; i < config.nLayer(); i++) h.add(addChildBlock("h_" + i, new TransformerBlock(config, mask)));
        lnF = addChildBlock("ln_f", new LayerNorm(e, config.bias()));
        head0 = addChildBlock("lm_head_0", new Linear(e, 2L * e, true, INIT_STD));
        head2 = addChildBlock("lm_head_2", new Linear(2L * e, e, true, INIT_STD));
        head4 = addChildBlock("lm_head_4", new Linear(e, d, true, INIT_STD));
        nameParameters("", named);
    }

    /**
     * The reference scales the init of each residual output projection (attn.c_proj, mlp.c_proj)
     * by 1/sqrt(2 * n_layer), so the residual stream's variance does not grow with depth (GPT-2).
     */
    static float residualInitStd(ModelConfig config) {
        return (float) (INIT_STD / Math.sqrt(2.0 * config.nLayer()));
    }

    public ModelConfig config() { return config; }

    /** Every parameter under its reference state_dict name, in the reference's order. */
    public Map<String, Parameter> namedParameters() { return Collections.unmodifiableMap(named); }

    /**
     * Runs the network. Results belong to the tokens' manager: run each batch in a sub-manager
     * and close it afterwards.
     *
     * @param tokens [B, T, D] with T at most block_size
     */
    public Forward forward(ParameterStore ps, NDArray tokens, boolean training) {
        Shape s = tokens.getShape();
        if (s.dimension() != 3 || s.get(2) != config.tokenDim() || s.get(1) < 1 || s.get(1) > config.blockSize()) {
            throw new IllegalArgumentException("tokens of shape " + s + " do not fit this model: expected [batch, 1.."
                    + config.blockSize() + ", " + config.tokenDim() + "]");
        }
        long t = s.get(1);
        NDArray x = Activation.relu(wte2.apply(ps, Activation.relu(wte0.apply(ps, tokens, training)), training));
        // The slice of a parameter belongs to the model's manager; move it to the batch's.
        NDArray pos = ps.getValue(wpe, tokens.getDevice(), training).get(new NDIndex("0:{}", t)); // [T, E]
        pos.attach(tokens.getManager());
        x = dropout(x.add(pos), config.dropout(), training);                                         // [B, T, E]
        List<NDArray> outputs = new ArrayList<>(h.size());
        for (TransformerBlock block : h) {
            x = block.apply(ps, x, training);
            outputs.add(x);
        }
        NDArray y = lnF.apply(ps, x, training);
        y = Activation.relu(head0.apply(ps, y, training));                                           // [B, T, 2E]
        y = Activation.relu(head2.apply(ps, y, training));                                           // [B, T, E]
        return new Forward(head4.apply(ps, y, training), List.copyOf(outputs));                      // [B, T, D]
    }

    /**
     * As a DJL block (what a Predictor calls): [tokens] -> [prediction, output of block 0, ...,
     * output of block L-1].
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Forward out = forward(ps, inputs.singletonOrThrow(), training);
        NDList list = new NDList(out.prediction());
        list.addAll(out.blockOutputs());
        return list;
    }

    @Override
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return forward(ps, x, training).prediction();
    }

    @Override
    void nameParameters(String prefix, Map<String, Parameter> into) {
        wte0.nameParameters(prefix + "transformer.wte.0.", into);
        wte2.nameParameters(prefix + "transformer.wte.2.", into);
        into.put(prefix + "transformer.wpe.weight", wpe);
        for (int i = 0; i < h.size(); i++) h.get(i).nameParameters(prefix + "transformer.h." + i + ".", into);
        lnF.nameParameters(prefix + "transformer.ln_f.", into);
        head0.nameParameters(prefix + "lm_head.0.", into);
        head2.nameParameters(prefix + "lm_head.2.", into);
        head4.nameParameters(prefix + "lm_head.4.", into);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0]; // [B, T, D]
        Shape[] out = new Shape[1 + config.nLayer()];
        out[0] = tokens;
        for (int i = 1; i < out.length; i++) out[i] = new Shape(tokens.get(0), tokens.get(1), config.nEmbd());
        return out;
    }
}
