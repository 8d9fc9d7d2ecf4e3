package org.astropt.stream.core.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.translate.Translator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AstroPT network ({@link AstroPTBlock}, a DJL block) with the native memory that holds its
 * weights: a DJL {@link Model} on one device. Create it in an open() or a try-with-resources and
 * close it when done; share it between threads only through per-thread sub-managers
 * ({@link Embedder} does this).
 *
 * <p>Device: {@code -Dastropt.device=cpu|gpu|gpu1...}; by default the first GPU when libtorch
 * sees one, else the CPU. Which libtorch (CPU or CUDA) runs is decided by the native jar on the
 * classpath; see the model section of the README.
 */
public final class AstroPTModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AstroPTModel.class);
    private static final AtomicBoolean KERNELS_LOGGED = new AtomicBoolean();

    private final Model model;
    private final AstroPTBlock network;

    private AstroPTModel(Model model, AstroPTBlock network) {
        this.model = model;
        this.network = network;
    }

    /**
     * The kernels inference runs fused on this device, by name: "attention" ({@link FusedAttention}),
     * "linear+gelu" and "linear+residual" ({@link FusedLinear}, CPU only), "huber" ({@link FusedHuber}). The others
     * run written out (they did not load, or are switched off: docs/MODEL.md, "DJL runtime settings"). Loads the
     * modules.
     */
    public static List<String> fusedKernels(Device device) {
        List<String> names = new ArrayList<>();
        if (FusedAttention.get() != null) names.add("attention");
        if (FusedLinear.runsOn(device)) names.addAll(List.of("linear+gelu", "linear+residual"));
        if (FusedHuber.get() != null) names.add("huber");
        return names;
    }

    /** A fresh network with the reference's initialisation, reproducible from seed. */
    public static AstroPTModel create(ModelConfig config, Device device, long seed) {
        MklDispatch.logOnce();
        if (KERNELS_LOGGED.compareAndSet(false, true)) {
            LOG.info("fused inference kernels on {}: {}", device, fusedKernels(device));
        }
        Engine.getInstance().setRandomSeed((int) seed);
        Model model = Model.newInstance("astropt", device);
        AstroPTBlock network = new AstroPTBlock(config);
        model.setBlock(network);
        disableGradientsOnThisThread();
        network.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, config.tokenDim()));
        return new AstroPTModel(model, network);
    }

    /** The device from -Dastropt.device, else the first GPU libtorch sees, else the CPU. */
    public static Device defaultDevice() {
        String name = System.getProperty("astropt.device", "").trim();
        if (!name.isEmpty()) return Device.fromName(name);
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /**
     * libtorch records operations for backward on every thread where grad mode is on, and a new
     * thread starts with it on. Inference threads turn it off; a GradientCollector turns it back on
     * for the span of one training step.
     */
    public static void disableGradientsOnThisThread() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) JniUtils.setGradMode(false);
    }

    public AstroPTBlock network() { return network; }

    public ModelConfig config() { return network.config(); }

    public Device device() { return model.getNDManager().getDevice(); }

    /** The long-lived manager holding the weights: never attach per-batch results to it. */
    public NDManager manager() { return model.getNDManager(); }

    /** A manager for one batch; close it after the batch. */
    public NDManager newBatchManager() { return model.getNDManager().newSubManager(); }

    /** Reads the weights where they are (no copies). */
    public ParameterStore parameterStore(NDManager batch) { return new ParameterStore(batch, false); }

    /** A DJL predictor over this network; not thread-safe, so one per thread, closed after use. */
    public <I, O> Predictor<I, O> newPredictor(Translator<I, O> translator) { return model.newPredictor(translator); }

    /** Number of trainable values. */
    public long parameterCount() {
        return network.namedParameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
    }

    @Override
    public void close() { model.close(); }
}
