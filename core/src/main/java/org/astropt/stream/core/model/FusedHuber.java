package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;

/**
 * The Huber error per value (delta 1) in one pass, libtorch's {@code huber_loss} with no reduction, for the
 * surprise score: its arrays are the largest of a forward pass ([B, T - 1, patch * patch * bands], 6 MB
 * for a batch of 8 at 256 tokens), and the written-out form ({@link HuberLoss#elementwiseInference}) passes
 * over them five times. The same values to the bit: 0.5 z z below delta, z - 0.5 beyond it, as the
 * written-out form rounds them (HuberLossTest checks both against the definition). DJL 0.36's NDArray API does
 * not reach the operator; a parameterless TorchScript module ({@link TorchScriptArchive}) does.
 *
 * <p>Inference only (nothing runs backward through the surprise score). {@link #get} is null where the module
 * does not load, and with -Dastropt.huber=unfused, which keeps the written-out form. Why: docs/BENCHMARKS.md,
 * "The GELU and the residual sums inside the products".
 */
final class FusedHuber {

    /** reduction 0: none; delta 1, {@link HuberLoss#DELTA}. */
    private static final String METHODS = """
              def huber(self: __torch__.FusedHuber,
                prediction: Tensor,
                target: Tensor) -> Tensor:
                return torch.huber_loss(prediction, target, 0, 1.)
            """;

    private final PtSymbolBlock module;

    private FusedHuber(PtSymbolBlock module) { this.module = module; }

    /** The process's module; null where it cannot load or is switched off. */
    static FusedHuber get() { return Loaded.HUBER; }

    /** Loaded when first read: the JVM's class initialisation makes that once and thread-safe. */
    private static final class Loaded {
        static final FusedHuber HUBER = load();
    }

    /** Per value, the shape of the inputs; attached to prediction's manager. */
    NDArray perValue(NDArray prediction, NDArray target) {
        return TorchScriptArchive.call(module, "huber", prediction, target);
    }

    private static FusedHuber load() {
        PtSymbolBlock module = TorchScriptArchive.loadOrNull("astropt.huber", "unfused",
                "FusedHuber", METHODS, "the written-out form");
        return module == null ? null : new FusedHuber(module);
    }
}
