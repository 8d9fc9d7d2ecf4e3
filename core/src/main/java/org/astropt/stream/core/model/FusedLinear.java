package org.astropt.stream.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtSymbolBlock;

/**
 * A linear layer and what follows it in one oneDNN kernel, for inference on the CPU: x W^T (+ b) then the
 * tanh GELU (the MLP's up projection), or x W^T (+ b) plus the residual stream (the blocks' output
 * projections; the MLP's added into the residual's own storage, {@link #addInto}). libtorch's
 * {@code mkldnn::_linear_pointwise} applies the GELU or the sum to each tile of the product while it is still
 * in cache, where the written-out forms pass over the [B, T, 4E] or [B, T, E] result again: six passes for
 * the GELU ({@link Mlp#geluTanhInPlace}), one for the sum. DJL 0.36's NDArray API does not reach the
 * operator; a parameterless TorchScript module ({@link TorchScriptArchive}) does.
 *
 * <p>Inference only (the operator has no backward) and on CPU float32 arrays: {@link #forInference} is null
 * otherwise, and where the module does not load (another engine; a libtorch built without oneDNN), and with
 * -Dastropt.linear=unfused, which keeps the written-out forms. Results agree with them to a few units in the
 * last place (oneDNN's GELU evaluates tanh its own way; the parity tests check both forms against the
 * reference fixtures). Why: docs/BENCHMARKS.md, "The GELU and the residual sums inside the products".
 */
final class FusedLinear {

    /** One method per epilogue, with and without a bias (DJL passes no None to a TorchScript method). */
    private static final String METHODS = """
              def linear_gelu_tanh(self: __torch__.FusedLinear,
                x: Tensor,
                w: Tensor) -> Tensor:
                return ops.mkldnn._linear_pointwise(x, w, None, "gelu", annotate(List[Optional[number]], []), "tanh")
              def linear_gelu_tanh_bias(self: __torch__.FusedLinear,
                x: Tensor,
                w: Tensor,
                b: Tensor) -> Tensor:
                return ops.mkldnn._linear_pointwise(x, w, b, "gelu", annotate(List[Optional[number]], []), "tanh")
              def linear_add(self: __torch__.FusedLinear,
                x: Tensor,
                residual: Tensor,
                w: Tensor) -> Tensor:
                return ops.mkldnn._linear_pointwise(x, residual, w, None, "add")
              def linear_add_bias(self: __torch__.FusedLinear,
                x: Tensor,
                residual: Tensor,
                w: Tensor,
                b: Tensor) -> Tensor:
                return ops.mkldnn._linear_pointwise(x, residual, w, b, "add")
              def linear_add_into(self: __torch__.FusedLinear,
                x: Tensor,
                residual: Tensor,
                w: Tensor) -> Tensor:
                _0 = torch.addmm_(torch.view(residual, [-1, torch.size(w, 0)]),
                    torch.reshape(x, [-1, torch.size(w, 1)]), torch.t(w))
                return residual
            """;

    /** Whether {@link #addInto} serves the sums that may overwrite their residual (not -Dastropt.residual=copy). */
    static final boolean IN_PLACE = !"copy".equals(System.getProperty("astropt.residual", "").trim());

    private final PtSymbolBlock module;

    private FusedLinear(PtSymbolBlock module) { this.module = module; }

    /** The process's module where x can go through it (CPU, float32, inference); otherwise null. */
    static FusedLinear forInference(NDArray x, boolean training) {
        return training || x.getDataType() != DataType.FLOAT32 || !runsOn(x.getDevice()) ? null : Loaded.LINEAR;
    }

    /** Whether inference on this device runs through the module: a CPU, and the module loaded (loading it). */
    static boolean runsOn(Device device) {
        return Device.Type.CPU.equals(device.getDeviceType()) && Loaded.LINEAR != null;
    }

    /** Loaded when first read: the JVM's class initialisation makes that once and thread-safe. */
    private static final class Loaded {
        static final FusedLinear LINEAR = load();
    }

    /** gelu_tanh(x W^T + b), b may be null; attached to x's manager. */
    NDArray geluTanh(NDArray x, NDArray w, NDArray b) {
        return b == null ? TorchScriptArchive.call(module, "linear_gelu_tanh", x, w)
                : TorchScriptArchive.call(module, "linear_gelu_tanh_bias", x, w, b);
    }

    /** x W^T + b + residual, b may be null; attached to x's manager. */
    NDArray plus(NDArray x, NDArray w, NDArray b, NDArray residual) {
        return b == null ? TorchScriptArchive.call(module, "linear_add", x, residual, w)
                : TorchScriptArchive.call(module, "linear_add_bias", x, residual, w, b);
    }

    /**
     * residual += x W^T, in place: MKL's product with beta 1, which adds C as it stores each tile, so the sum costs
     * nothing over the plain product, where oneDNN's sum inside the product ({@link #plus}) costs 0.3 to 0.7 ms a
     * call at 2,048 rows of 384 or 768 (docs/BENCHMARKS.md, session 13). Only where nothing reads the residual
     * again: the MLP's sum, whose residual is the block's intermediate x + attn(ln_1(x)), not the attention's,
     * whose residual is the previous block's output, which the embedding keeps. No bias (AstroPT v1 has none
     * there); -Dastropt.residual=copy keeps {@link #plus} for comparison.
     *
     * @return the residual's storage as a new array of x's manager
     */
    NDArray addInto(NDArray x, NDArray w, NDArray residual) {
        return TorchScriptArchive.call(module, "linear_add_into", x, residual, w);
    }

    private static FusedLinear load() {
        PtSymbolBlock module = TorchScriptArchive.loadOrNull("astropt.linear", "unfused",
                "FusedLinear", METHODS, "the written-out GELU and sums");
        return module == null ? null : new FusedLinear(module);
    }
}
