package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;

/**
 * Causal attention through libtorch's fused kernel, {@code torch.scaled_dot_product_attention(q, k, v,
 * is_causal=True)}: softmax(q k^T / sqrt(hd) + causal mask) v computed block by block, without the
 * [B, H, T, T] scores and probabilities that the explicit form writes and reads. DJL 0.36's NDArray API
 * does not reach that operator, but DJL runs TorchScript modules, and libtorch compiles a module's
 * TorchScript source when it loads it; so this class writes a parameterless TorchScript archive whose
 * forward is that one call ({@link TorchScriptArchive}) and loads it once per process. Autograd runs
 * through it (the kernel has its own backward).
 *
 * <p>Why: at 256 tokens the explicit form's [B, H, T, T] arrays dominate a narrow model (1M preset,
 * batch 32: 67 MB per layer, softmax alone 43% of the forward pass); at 64 tokens the two forms cost
 * about the same (docs/BENCHMARKS.md, "MKL's code paths on AMD, and fused attention"). Results agree with the explicit form to a
 * few units in the last place (the kernel sums the softmax in blocks); the parity tests check it
 * against the reference fixtures.
 *
 * <p>{@link #get()} is null where the module does not load (another engine; a libtorch without the
 * operator): {@link CausalSelfAttention} then keeps the explicit form. -Dastropt.attention=explicit
 * forces that form.
 */
final class FusedAttention {

    /** The module's one method: the default scale 1/sqrt(hd), no dropout. */
    private static final String METHODS = """
              def forward(self: __torch__.FusedCausalAttention,
                q: Tensor,
                k: Tensor,
                v: Tensor) -> Tensor:
                return torch.scaled_dot_product_attention(q, k, v, None, 0., True)
            """;

    private final PtSymbolBlock module;

    private FusedAttention(PtSymbolBlock module) { this.module = module; }

    /**
     * The process's module, loaded on first use (a failed load is remembered too); null where it cannot
     * load or is switched off.
     */
    static FusedAttention get() { return Loaded.ATTENTION; }

    /** Loaded when {@link #get()} first reads it: the JVM's class initialisation makes that once and thread-safe. */
    private static final class Loaded {
        static final FusedAttention ATTENTION = load();
    }

    /** [B, H, T, hd] each -> [B, H, T, hd]; attached to q's manager. */
    NDArray apply(NDArray q, NDArray k, NDArray v, boolean training) {
        ParameterStore none = new ParameterStore(q.getManager(), false);
        return module.forward(none, new NDList(q, k, v), training).singletonOrThrow();
    }

    private static FusedAttention load() {
        PtSymbolBlock module = TorchScriptArchive.loadOrNull("astropt.attention", "explicit",
                "FusedCausalAttention", METHODS, "the explicit form");
        return module == null ? null : new FusedAttention(module);
    }
}
