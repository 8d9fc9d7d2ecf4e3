package org.astropt.stream.core.model;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astropt.stream.schemas.ModelArchitecture;

/**
 * The files of one model version in a folder: config.json and weights.safetensors ({@link Checkpoint}),
 * metrics.json (what the trainer measured, the held-out loss under {@value #HELD_OUT_LOSS}),
 * train-log.csv ({@link TrainLog}'s layout) and embedding-stats.json ({@link EmbeddingStats}: what similarity
 * standardises this version's embeddings with; folders from before it have none). The trainer's model store writes these folders; the pipeline,
 * the model server's uploads and its dashboard read them, checking the weights against a ModelVersion
 * record first ({@link #verify}).
 */
public final class ModelFolder {

    public static final String METRICS_FILE = "metrics.json";
    public static final String TRAIN_LOG_FILE = "train-log.csv";
    public static final String EMBEDDING_STATS_FILE = "embedding-stats.json";
    /** The one metrics key of the held-out loss, in metrics.json and in ModelVersion.metrics. */
    public static final String HELD_OUT_LOSS = "heldout_loss";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    public ModelFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * The local folder a URI names: a file: URI or a plain path, of the weights file or of the folder itself
     * (a folder URI ends in '/' or names a directory); empty for any other scheme (s3:, hdfs:, ...), which
     * the caller fetches its own way.
     */
    public static Optional<ModelFolder> at(String uri) {
        return localPath(uri).map(p -> new ModelFolder(uri.endsWith("/") || Files.isDirectory(p) ? p : p.getParent()));
    }

    /** A file: URI (file:/p, file:///p, file:p) or a plain path as an absolute local path; empty for another scheme. */
    public static Optional<Path> localPath(String uri) {
        Path p;
        try {
            URI parsed = URI.create(uri);
            String scheme = parsed.getScheme();
            if (scheme == null || scheme.length() == 1) p = Path.of(uri); // a path (or C:\...)
            else if (scheme.equals("file")) p = Path.of(parsed.getPath() != null ? parsed.getPath() : parsed.getSchemeSpecificPart());
            else return Optional.empty();
        } catch (IllegalArgumentException e) {
            p = Path.of(uri); // not a URI at all (spaces, backslashes): a path
        }
        return Optional.of(p.toAbsolutePath().normalize());
    }

    public Path dir() { return dir; }

    public Path weights() { return dir.resolve(Checkpoint.WEIGHTS_FILE); }

    public Path config() { return dir.resolve(Checkpoint.CONFIG_FILE); }

    /** The sha256 of weights.safetensors ({@link Checkpoint#sha256}). */
    public String sha256() throws IOException { return Checkpoint.sha256(weights()); }

    /** The ModelVersion record's architecture of a model config: what {@link #verify} checks a folder against. */
    public static ModelArchitecture architecture(ModelConfig c) {
        return ModelArchitecture.newBuilder().setNLayer(c.nLayer()).setNHead(c.nHead()).setNEmbd(c.nEmbd()).setNChan(c.nChan())
                .setBlockSize(c.blockSize()).setPatchSize(c.patchSize()).setBias(c.bias()).setDropout(c.dropout()).build();
    }

    /**
     * Checks the folder against what a ModelVersion record says before anything loads it: the weights exist,
     * their sha256 matches (skipped when sha256 is null), and config.json names the record's architecture
     * (nLayer, nHead, nEmbd, nChan, blockSize, patchSize; skipped when expected is null). Returns the config;
     * any failure is an {@link InvalidCheckpointException} with one line naming the problem.
     */
    public ModelConfig verify(String sha256, ModelArchitecture expected) {
        if (!Files.isRegularFile(weights())) throw new InvalidCheckpointException(weights().toString(), "does not exist");
        if (sha256 != null) {
            String actual;
            try {
                actual = sha256();
            } catch (IOException e) {
                throw new InvalidCheckpointException(weights().toString(), "cannot read: " + e.getMessage());
            }
            if (!actual.equalsIgnoreCase(sha256)) {
                throw new InvalidCheckpointException(weights().toString(), "checksum mismatch: the record says " + sha256 + ", the file has " + actual);
            }
        }
        ModelConfig c;
        try {
            c = ModelConfig.read(config());
        } catch (IOException | RuntimeException e) {
            throw new InvalidCheckpointException(config().toString(), "unreadable: " + e.getMessage());
        }
        if (expected != null && (c.nLayer() != expected.getNLayer() || c.nHead() != expected.getNHead()
                || c.nEmbd() != expected.getNEmbd() || c.nChan() != expected.getNChan()
                || c.blockSize() != expected.getBlockSize() || c.patchSize() != expected.getPatchSize())) {
            throw new InvalidCheckpointException(config().toString(), "describes " + c + ", not the architecture the record names ("
                    + expected.getNLayer() + " layers, " + expected.getNHead() + " heads, n_embd " + expected.getNEmbd() + ", n_chan "
                    + expected.getNChan() + ", block_size " + expected.getBlockSize() + ", patch_size " + expected.getPatchSize() + ")");
        }
        return c;
    }

    /** The network of config.json with the weights loaded ({@link Checkpoint#load}); call {@link #verify} first. */
    public AstroPTModel load(Device device) throws IOException { return Checkpoint.load(dir, device); }

    /** metrics.json as an object; empty when absent or unreadable (the folder may predate it). */
    public Map<String, Object> metrics() {
        Path file = dir.resolve(METRICS_FILE);
        if (!Files.isRegularFile(file)) return Map.of();
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) return Map.of();
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.convertValue(node, Map.class);
            return m;
        } catch (IOException | IllegalArgumentException e) {
            return Map.of();
        }
    }

    /** The numbers of metrics.json a ModelVersion record carries: every numeric one but parent_version (the record's parentVersion). */
    public static Map<String, Double> recordMetrics(Map<String, Object> written) {
        Map<String, Double> metrics = new java.util.LinkedHashMap<>();
        written.forEach((k, v) -> { if (v instanceof Number n && !k.equals("parent_version")) metrics.put(k, n.doubleValue()); });
        return metrics;
    }

    public void writeMetrics(Map<String, Object> metrics) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(METRICS_FILE).toFile(), metrics);
    }

    /**
     * embedding-stats.json: the per-dimension mean and std of this version's embeddings; empty when the folder
     * has none (made before versions published them). A file that is there but unreadable or inconsistent is an
     * {@link InvalidCheckpointException} naming it and the problem.
     */
    public Optional<EmbeddingStats> embeddingStats() {
        Path file = dir.resolve(EMBEDDING_STATS_FILE);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(file.toFile(), EmbeddingStats.class));
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && m.getCause() != null ? m.getCause().getMessage() : e.getMessage();
            throw new InvalidCheckpointException(file.toString(), "unreadable: " + String.valueOf(why).lines().findFirst().orElse(""));
        }
    }

    public void writeEmbeddingStats(EmbeddingStats stats) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(EMBEDDING_STATS_FILE).toFile(), stats);
    }

    /**
     * The score heads shipped in weights.safetensors ({@link org.astropt.stream.core.heads.ScoreHeads}); empty for a
     * version without them. Damaged heads are an {@link InvalidCheckpointException} naming the file.
     */
    public Optional<org.astropt.stream.core.heads.ScoreHeads> heads() {
        try {
            return org.astropt.stream.core.heads.ScoreHeads.read(weights());
        } catch (IOException e) {
            throw new InvalidCheckpointException(weights().toString(), "cannot read: " + e.getMessage());
        }
    }

    /** train-log.csv by column, thinned to at most maxRows rows ({@link TrainLog#columns}); empty when absent. */
    public Map<String, List<Double>> trainLog(int maxRows) {
        Path file = dir.resolve(TRAIN_LOG_FILE);
        if (!Files.isRegularFile(file)) return Map.of();
        try {
            return TrainLog.columns(Files.readAllLines(file, StandardCharsets.UTF_8), maxRows);
        } catch (IOException e) {
            return Map.of();
        }
    }

    @Override
    public String toString() { return dir.toString(); }
}
