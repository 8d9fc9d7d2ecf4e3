package org.astropt.stream.flink.functions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.fs.FileSystem;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.InvalidCheckpointException;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.schemas.ModelArchitecture;

/**
 * A model version that passed every check and serves: its pointer, weights, Embedder and score heads. Loading
 * checks, in order: the sha256 of the weights file and the architecture of config.json against the
 * pointer ({@link ModelFolder#verify}), every tensor name and shape (Checkpoint.load), the score heads shipped
 * in the same weights file ({@link ModelFolder#heads}: covered by the sha256 just checked; {@link ScoreHeads#NONE}
 * for a version without them), and a warm-up batch whose embeddings and surprise scores must all be finite and
 * which the heads must be able to score. Any failure is a {@link ModelRejectedException} and nothing stays open.
 */
public final class ServingModel implements AutoCloseable {

    /** Sequences in the warm-up batch: two, so batching itself is exercised. */
    static final int WARM_UP_SEQUENCES = 2;
    /** Tokens per warm-up sequence: one bucket of the Embedder, enough to pass through attention. */
    static final int WARM_UP_TOKENS = 16;

    private final ModelPointer pointer;
    private final AstroPTModel model;
    private final Embedder embedder;
    private final ScoreHeads heads;

    private ServingModel(ModelPointer pointer, AstroPTModel model, Embedder embedder, ScoreHeads heads) {
        this.pointer = pointer;
        this.model = model;
        this.embedder = embedder;
        this.heads = heads;
    }

    public ModelPointer pointer() { return pointer; }

    public ModelConfig config() { return model.config(); }

    public Embedder embedder() { return embedder; }

    /** The version's score heads: what gives every embedding its scores and raises its flags. */
    public ScoreHeads heads() { return heads; }

    /**
     * Loads and verifies a version on the given device (the one {@link ServingDevice} chose for the subtask);
     * sha256 null (the initial model) skips the checksum.
     */
    public static ServingModel load(ModelPointer p, int forwardBatchSize, ai.djl.Device device) {
        Path dir;
        try {
            dir = localFolder(p);
        } catch (IOException e) {
            throw new ModelRejectedException(p.label() + ": cannot read " + p.weightsUri + ": " + e.getMessage(), e);
        }
        ModelFolder folder = new ModelFolder(dir);
        ModelConfig config;
        ScoreHeads heads;
        try {
            config = folder.verify(p.sha256, p.nEmbd > 0 ? architecture(p) : null);
            heads = folder.heads().orElse(ScoreHeads.NONE); // read after the checksum: the sha256 covers them
        } catch (InvalidCheckpointException e) {
            throw new ModelRejectedException(p.label() + ": " + e.getMessage(), e);
        }
        AstroPTModel model;
        try {
            model = folder.load(device);
        } catch (IOException | RuntimeException e) {
            throw new ModelRejectedException(p.label() + ": " + e.getMessage(), e);
        }
        Embedder embedder = null;
        try {
            embedder = new Embedder(model, new Embedder.Settings(forwardBatchSize, Embedder.Settings.DEFAULT.bucketLengths(), -1));
            warmUp(p, config, embedder, heads);
            return new ServingModel(p, model, embedder, heads);
        } catch (RuntimeException e) {
            if (embedder != null) embedder.close();
            model.close();
            throw e instanceof ModelRejectedException r ? r : new ModelRejectedException(p.label() + ": warm-up failed: " + e.getMessage(), e);
        }
    }

    /** The architecture a pointer names (bias and dropout are not compared). */
    private static ModelArchitecture architecture(ModelPointer p) {
        return ModelArchitecture.newBuilder().setNLayer(p.nLayer).setNHead(p.nHead).setNEmbd(p.nEmbd).setNChan(p.nChan)
                .setBlockSize(p.blockSize).setPatchSize(p.patchSize).setBias(false).setDropout(0).build();
    }

    /**
     * Random normalised tokens through the model: every output must be finite, and the heads must read what the
     * model gives (heads fitted on another width fail here, not on every record).
     */
    private static void warmUp(ModelPointer p, ModelConfig config, Embedder embedder, ScoreHeads heads) {
        Random random = new Random(7);
        int tokens = Math.min(WARM_UP_TOKENS, config.blockSize());
        List<float[][]> batch = new java.util.ArrayList<>();
        for (int s = 0; s < WARM_UP_SEQUENCES; s++) {
            float[][] seq = new float[tokens][config.tokenDim()];
            for (float[] t : seq) for (int i = 0; i < t.length; i++) t[i] = (float) random.nextGaussian();
            batch.add(seq);
        }
        List<Embedder.Result> results = embedder.embed(batch);
        for (int s = 0; s < results.size(); s++) {
            Embedder.Result r = results.get(s);
            boolean finite = Float.isFinite(r.surprise());
            for (float v : r.embedding()) finite &= Float.isFinite(v);
            if (!finite) throw new ModelRejectedException(p.label() + ": the warm-up batch gave non-finite outputs (NaN or infinite weights?)", null);
            try {
                heads.score(batch.get(s), r);
            } catch (RuntimeException e) {
                throw new ModelRejectedException(p.label() + ": its score heads (" + heads + ") do not fit the model: " + e.getMessage(), e);
            }
        }
    }

    /** The folder holding config.json and weights.safetensors: local files as they are, others copied to a temp folder. */
    static Path localFolder(ModelPointer p) throws IOException {
        java.util.Optional<ModelFolder> local = ModelFolder.at(p.weightsUri);
        if (local.isPresent()) return local.get().dir();
        URI uri = URI.create(p.weightsUri);
        Path dir = Files.createTempDirectory("astropt-model-");
        org.apache.flink.core.fs.Path weights = new org.apache.flink.core.fs.Path(uri);
        FileSystem fs = weights.getFileSystem();
        copy(fs, weights, dir.resolve(Checkpoint.WEIGHTS_FILE));
        copy(fs, new org.apache.flink.core.fs.Path(weights.getParent(), Checkpoint.CONFIG_FILE), dir.resolve(Checkpoint.CONFIG_FILE));
        return dir;
    }

    private static void copy(FileSystem fs, org.apache.flink.core.fs.Path from, Path to) throws IOException {
        try (InputStream in = fs.open(from); OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
    }

    /** Lower-case hex SHA-256 of a file ({@link Checkpoint#sha256}); unreadable is a refusal. */
    public static String sha256(Path file) {
        try {
            return Checkpoint.sha256(file);
        } catch (IOException e) {
            throw new ModelRejectedException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        embedder.close();
        model.close();
    }
}
