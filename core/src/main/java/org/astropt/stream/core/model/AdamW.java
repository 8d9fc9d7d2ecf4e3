package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's AdamW, step for step (torch.optim.AdamW, single-tensor path), over the network's
 * parameters in place, plus clip_grad_norm_. Weight decay applies only to tensors of two or more
 * dimensions (matrices and the position table), as nanoGPT and AstroPT configure it: decaying
 * biases and LayerNorm weights only hurts.
 *
 * <p>Per parameter p with gradient g, at step t (from 1):
 * <pre>
 *   p *= 1 - lr * weight_decay                     (decoupled decay, 2+ dim tensors only)
 *   m += (1 - beta1) (g - m);   v = beta2 v + (1 - beta2) g^2
 *   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Not thread-safe: one training thread owns it.
 */
public final class AdamW implements AutoCloseable {

    /** The reference's optimizer settings. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        /** AstroPT's: betas (0.9, 0.95) as nanoGPT; eps as PyTorch; decay 0.1. */
        public static final Settings ASTROPT = new Settings(0.9, 0.95, 1e-8, 0.1);
    }

    private record Slot(String name, Parameter parameter, NDArray m, NDArray v, boolean decays) {}

    private final Settings settings;
    private final NDManager state; // m and v live here, beside the weights, until close()
    private final List<Slot> slots = new ArrayList<>();
    private int step;

    public AdamW(AstroPTModel model, Settings settings) {
        this.settings = settings;
        this.state = model.manager().newSubManager();
        for (Map.Entry<String, Parameter> e : model.network().namedParameters().entrySet()) {
            Parameter p = e.getValue();
            NDArray w = p.getArray();
            slots.add(new Slot(e.getKey(), p, state.zeros(w.getShape(), w.getDataType()), state.zeros(w.getShape(), w.getDataType()),
                    w.getShape().dimension() >= 2));
        }
    }

    /** Updates done so far. */
    public int stepCount() { return step; }

    /** The moments under "m." + and "v." + each parameter's name, F32, for a checkpoint; with {@link #stepCount} all there is. */
    public Map<String, Safetensors.Tensor> moments() {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (Slot s : slots) {
            long[] shape = s.m().getShape().getShape();
            out.put("m." + s.name(), Safetensors.Tensor.of(shape, s.m().toFloatArray(), Safetensors.Dtype.F32));
            out.put("v." + s.name(), Safetensors.Tensor.of(shape, s.v().toFloatArray(), Safetensors.Dtype.F32));
        }
        return out;
    }

    /** Puts back what {@link #moments} gave and the step count, so the next update is the one that would have come. */
    public void restore(Map<String, Safetensors.Tensor> moments, int stepCount) {
        for (Slot s : slots) {
            Safetensors.Tensor m = moments.get("m." + s.name());
            Safetensors.Tensor v = moments.get("v." + s.name());
            if (m == null || v == null || m.elementCount() != s.m().size() || v.elementCount() != s.v().size()) {
                throw new IllegalArgumentException("optimizer state has no moments of shape " + s.m().getShape() + " for " + s.name());
            }
        }
        AstroPTModel.disableGradientsOnThisThread();
        for (Slot s : slots) {
            Checkpoint.overwrite(s.m(), moments.get("m." + s.name()).toFloats());
            Checkpoint.overwrite(s.v(), moments.get("v." + s.name()).toFloats());
        }
        this.step = stepCount;
    }

    /**
     * Scales all gradients together so their global L2 norm is at most maxNorm, as
     * torch.nn.utils.clip_grad_norm_: coef = min(1, maxNorm / (norm + 1e-6)).
     *
     * @return the norm before clipping
     */
    public float clipGradientNorm(double maxNorm) {
        try (NDManager scratch = state.newSubManager()) {
            NDList norms = new NDList();
            List<NDArray> grads = new ArrayList<>();
            for (Slot s : slots) {
                NDArray g = gradient(s, scratch);
                grads.add(g);
                norms.add(g.norm());
            }
            NDArray total = NDArrays.stack(norms).norm();
            NDArray coef = scratch.create((float) maxNorm).div(total.add(scratch.create(1e-6f)))
                    .minimum(scratch.create(1f));
            // PyTorch multiplies by the clamped coefficient every time; times 1 changes nothing, so skip that pass
            if (coef.getFloat() < 1f) for (NDArray g : grads) g.muli(coef);
            return total.getFloat();
        }
    }

    /** One update with the gradients now held by the parameters, then clears those gradients. */
    public void step(double lr) {
        step++;
        double bias1 = 1 - Math.pow(settings.beta1(), step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(settings.beta2(), step));
        AstroPTModel.disableGradientsOnThisThread(); // in-place updates of leaves are refused while recording
        try (NDManager scratch = state.newSubManager()) {
            NDArray decay = scratch.create((float) (1 - lr * settings.weightDecay()));
            NDArray oneMinusBeta1 = scratch.create((float) (1 - settings.beta1()));
            NDArray beta2 = scratch.create((float) settings.beta2());
            NDArray oneMinusBeta2 = scratch.create((float) (1 - settings.beta2()));
            NDArray correction2 = scratch.create((float) bias2Sqrt);
            NDArray eps = scratch.create((float) settings.eps());
            NDArray stepSize = scratch.create((float) (lr / bias1));
            for (Slot s : slots) {
                NDArray p = s.parameter().getArray();
                NDArray g = gradient(s, scratch);
                if (s.decays() && settings.weightDecay() != 0) p.muli(decay);
                s.m().addi(g.sub(s.m()).muli(oneMinusBeta1));        // in place on fresh arrays: two allocations fewer
                s.v().muli(beta2).addi(g.mul(g).muli(oneMinusBeta2));
                // A result belongs to its left operand's manager: v and m live in state for the whole
                // run, so their temporaries are moved to scratch (or scratch's stepSize goes left),
                // else each step would leave five parameter-sized arrays behind.
                NDArray denom = s.v().sqrt();
                denom.attach(scratch);
                denom.divi(correction2).addi(eps);
                p.subi(stepSize.mul(s.m()).divi(denom));
                zeroGradient(p);
            }
        }
    }

    /** The parameter's gradient; DJL hands out a new handle each call, so it goes in scratch. */
    private static NDArray gradient(Slot s, NDManager scratch) {
        NDArray g = s.parameter().getArray().getGradient();
        g.attach(scratch);
        return g;
    }

    /** Gradients accumulate over backward passes (micro-batches) until cleared here. */
    static void zeroGradient(NDArray p) {
        if (p instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            try (NDArray g = p.getGradient()) {
                g.subi(g);
            }
        }
    }

    @Override
    public void close() { state.close(); }
}
