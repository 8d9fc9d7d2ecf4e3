package org.astropt.stream.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.model.Safetensors.Dtype;
import org.astropt.stream.core.model.Safetensors.Tensor;

/**
 * A model on disk: a directory holding config.json (the reference's model_args) and
 * weights.safetensors (the reference's parameter names, [out, in] Linear weights, F32, F16 or
 * BF16). Released AstroPT pickles convert to this once, in Python: docs/IMPORTING_WEIGHTS.md.
 */
public final class Checkpoint {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "weights.safetensors";

    private Checkpoint() {}

    /** Lower-case hex SHA-256 of a file: how a ModelVersion names its weights (and the model store its folders). */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Builds the network of dir/config.json on device and loads dir/weights.safetensors into it. */
    public static AstroPTModel load(Path dir, Device device) throws IOException {
        ModelConfig config = ModelConfig.read(dir.resolve(CONFIG_FILE));
        AstroPTModel model = AstroPTModel.create(config, device, 0);
        try {
            loadWeights(model.network(), dir.resolve(WEIGHTS_FILE));
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Writes config.json and weights.safetensors (tensors stored as dtype) into dir. */
    public static void save(AstroPTModel model, Path dir, Dtype dtype) throws IOException {
        Files.createDirectories(dir);
        model.config().write(dir.resolve(CONFIG_FILE));
        Safetensors.write(dir.resolve(WEIGHTS_FILE), tensors(model.network(), dtype), Map.of("format", "pt"));
    }

    /** The network's weights as safetensors tensors under the reference names. */
    public static Map<String, Tensor> tensors(AstroPTBlock network, Dtype dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        network.namedParameters().forEach((name, p) ->
                out.put(name, Tensor.of(p.getShape().getShape(), p.getArray().toFloatArray(), dtype)));
        return out;
    }

    /**
     * Copies a safetensors file into the network after checking every name, shape and dtype; on
     * any mismatch nothing is copied and the message lists all of them.
     */
    public static void loadWeights(AstroPTBlock network, Path file) throws IOException {
        Map<String, Tensor> found = new LinkedHashMap<>(Safetensors.read(file));
        found.keySet().removeIf(name -> name.startsWith(org.astropt.stream.core.heads.ScoreHeads.PREFIX)); // the version's score heads, not the network's
        List<String> problems = mismatches(network.namedParameters(), found);
        if (!problems.isEmpty()) {
            throw new InvalidCheckpointException(file.toString(), "does not fit a model with " + describe(network.config())
                    + ": " + String.join("; ", problems));
        }
        AstroPTModel.disableGradientsOnThisThread(); // copying into a leaf that records gradients is refused
        network.namedParameters().forEach((name, p) -> overwrite(p.getArray(), found.get(name).toFloats()));
    }

    /**
     * Writes values over an array in place, as a full-slice index put. Not {@code NDArray.set(float[])}: DJL's
     * native side of that builds libtorch's deprecated AutoNonVariableTypeMode guard, and libtorch prints a
     * deprecation warning on stderr, which reached the console of every command that loads a model.
     * Gradients must be off on this thread (a leaf that records them refuses in-place writes).
     */
    static void overwrite(NDArray target, float[] values) {
        String everything = String.join(",", Collections.nCopies(Math.max(1, target.getShape().dimension()), ":"));
        try (NDArray source = target.getManager().create(values, target.getShape())) {
            target.set(new NDIndex(everything), source);
        }
    }

    /** One line per mismatch: missing tensors, unexpected tensors, wrong shapes, wrong dtypes. */
    static List<String> mismatches(Map<String, Parameter> expected, Map<String, Tensor> found) {
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : expected.entrySet()) {
            Tensor t = found.get(e.getKey());
            long[] want = e.getValue().getShape().getShape();
            if (t == null) {
                missing.add(e.getKey() + " " + Arrays.toString(want));
                continue;
            }
            if (!Arrays.equals(want, t.shape())) {
                problems.add(e.getKey() + " has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(want));
            }
            if (Dtype.parse(t.dtype()) == null) {
                problems.add(e.getKey() + " has dtype " + t.dtype() + ", expected F32, F16 or BF16");
            }
        }
        if (!missing.isEmpty()) problems.add(0, "missing " + String.join(", ", missing));
        List<String> unexpected = found.keySet().stream().filter(k -> !expected.containsKey(k)).toList();
        if (!unexpected.isEmpty()) {
            String hint = unexpected.stream().anyMatch(k -> k.startsWith("_orig_mod.")) ? " (strip the _orig_mod. prefix"
                    + " of a torch.compile checkpoint, see docs/IMPORTING_WEIGHTS.md)" : "";
            problems.add("unexpected " + String.join(", ", unexpected) + hint);
        }
        return problems;
    }

    private static String describe(ModelConfig c) {
        return "n_layer " + c.nLayer() + ", n_embd " + c.nEmbd() + ", n_chan " + c.nChan() + ", patch_size "
                + c.patchSize() + ", block_size " + c.blockSize() + ", bias " + c.bias();
    }
}
