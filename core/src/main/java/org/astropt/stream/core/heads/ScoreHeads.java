package org.astropt.stream.core.heads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.InvalidCheckpointException;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.model.Safetensors.Dtype;
import org.astropt.stream.core.model.Safetensors.Tensor;

/**
 * The scores a model version gives every cutout beside its embedding, and the flags they raise: the probe heads
 * and novelty reference the trainer fitted for that version, shipped inside its weights.safetensors (tensors
 * under {@value #PREFIX}, their settings in the metadata under {@value #METADATA_KEY}), so the version's sha256
 * covers them and a version always flags with the heads fitted on its own embeddings.
 *
 * <p>{@link #score} gives, for one cutout:
 * <ul>
 *   <li>{@code surprise}: the model's mean next-patch error, as before;</li>
 *   <li>{@code novelty}: {@link NoveltyReference#novelty} of {@link HeadFeatures#noveltyVector}, 0.99 meaning rarer than 99 % of the reference;</li>
 *   <li>{@code artefact} and {@code artefact_<kind>}: each {@link LogisticHead}'s probability;</li>
 * </ul>
 * the positions of the tokens the model found hardest to predict, and the flags: ARTEFACT for every head whose
 * probability passes its threshold (chosen on held-out data for precision {@value #TARGET_PRECISION}), and
 * ANOMALY when the novelty reaches {@link #anomalyQuantile} and no artefact head explains it (none flags and
 * the artefact probability is below one half).
 *
 * <pre>{@code
 * ScoreHeads heads = ScoreHeads.read(folder.weights()).orElse(ScoreHeads.NONE);
 * ScoreHeads.Scored s = heads.score(tokens, embedder.embed(tokens));
 * }</pre>
 */
public final class ScoreHeads {

    /** Tensor name prefix of the heads in weights.safetensors; the network's loader skips these. */
    public static final String PREFIX = "heads.";
    /** Metadata key of the heads' settings (JSON) in weights.safetensors. */
    public static final String METADATA_KEY = "astropt.heads";
    /** The precision a head's flag threshold is chosen for. */
    public static final double TARGET_PRECISION = 0.9;
    /** The default novelty quantile for ANOMALY. */
    public static final double DEFAULT_ANOMALY_QUANTILE = 0.99;
    /** How many of the hardest tokens each score names. */
    public static final int HARDEST = 3;
    /** Score names. */
    public static final String SURPRISE = "surprise", NOVELTY = "novelty", ARTEFACT = "artefact";

    /** A version without heads: surprise and the hardest tokens only, no flags. */
    public static final ScoreHeads NONE = new ScoreHeads(List.of(), null, DEFAULT_ANOMALY_QUANTILE, Map.of());

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One flag a cutout's scores raise. kind is the artefact kind (lower case) for a kind's head, null otherwise. */
    public record Flagged(String flagKind, String artefactKind, String score, double value, double threshold, String reason) {}

    /**
     * One cutout's scores (name to value, surprise first), the sequence positions of its hardest-predicted tokens
     * (most surprising first), and the flags raised.
     */
    public record Scored(Map<String, Double> scores, int[] hardestTokens, List<Flagged> flags) {}

    private final List<LogisticHead> heads;
    private final NoveltyReference novelty;
    private final double anomalyQuantile;
    private final Map<String, String> provenance;

    /**
     * @param heads           artefact heads: {@code artefact} and {@code artefact_<kind>}
     * @param novelty         the novelty reference, or null for none
     * @param anomalyQuantile novelty at or above which ANOMALY is raised
     * @param provenance      what the heads were fitted on (free text by key: source, labels, objects), kept in the metadata
     */
    public ScoreHeads(List<LogisticHead> heads, NoveltyReference novelty, double anomalyQuantile, Map<String, String> provenance) {
        this.heads = List.copyOf(heads);
        this.novelty = novelty;
        this.anomalyQuantile = anomalyQuantile;
        this.provenance = Map.copyOf(provenance);
    }

    public List<LogisticHead> heads() { return heads; }

    public Optional<NoveltyReference> novelty() { return Optional.ofNullable(novelty); }

    public double anomalyQuantile() { return anomalyQuantile; }

    public Map<String, String> provenance() { return provenance; }

    public boolean isEmpty() { return heads.isEmpty() && novelty == null; }

    /** The head writing score name, if this version has one. */
    public Optional<LogisticHead> head(String name) {
        return heads.stream().filter(h -> h.name().equals(name)).findFirst();
    }

    /** The scores, hardest tokens and flags of one cutout: its tokens [T][D] and the model's result for them. */
    public Scored score(float[][] tokens, Embedder.Result r) {
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put(SURPRISE, (double) r.surprise());
        List<Flagged> flags = new ArrayList<>(1);
        double noveltyScore = Double.NaN;
        if (novelty != null) {
            noveltyScore = novelty.novelty(HeadFeatures.noveltyVector(r));
            scores.put(NOVELTY, noveltyScore);
        }
        double artefact = Double.NaN;
        if (!heads.isEmpty()) {
            double[] x = HeadFeatures.of(tokens, r);
            for (LogisticHead h : heads) {
                double p = h.probability(x);
                scores.put(h.name(), p);
                if (h.name().equals(ARTEFACT)) artefact = p;
            }
            for (LogisticHead h : heads) {
                double p = scores.get(h.name());
                if (!h.flags(p)) continue;
                String kind = h.name().startsWith(ARTEFACT + "_") ? h.name().substring(ARTEFACT.length() + 1) : null;
                flags.add(new Flagged("ARTEFACT", kind, h.name(), p, h.threshold(), String.format(Locale.ROOT,
                        "%s probability %.3f is at or above %.3f, the threshold chosen for precision %.2f",
                        kind == null ? "artefact" : kind.replace('_', ' '), p, h.threshold(), TARGET_PRECISION)));
            }
        }
        boolean explained = explainedByArtefact(flags, artefact);
        if (!Double.isNaN(noveltyScore) && noveltyScore >= anomalyQuantile && !explained) {
            flags.add(new Flagged("ANOMALY", null, NOVELTY, noveltyScore, anomalyQuantile, String.format(Locale.ROOT,
                    "novelty %.3f: rarer than %.1f%% of the version's reference population, and no artefact head explains it",
                    noveltyScore, 100 * noveltyScore)));
        }
        return new Scored(scores, hardest(r.tokenSurprise()), flags);
    }

    /** Whether an artefact explains a cutout's oddity: an ARTEFACT flag, or an artefact probability of at least one half. */
    public static boolean explainedByArtefact(List<Flagged> flags, double artefactProbability) {
        return flags.stream().anyMatch(f -> f.flagKind().equals("ARTEFACT")) || artefactProbability >= 0.5;
    }

    /** Sequence positions (1..T-1) of the HARDEST worst-predicted tokens, worst first. */
    static int[] hardest(float[] tokenSurprise) {
        return IntStream.range(0, tokenSurprise.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -tokenSurprise[i]))
                .limit(HARDEST).mapToInt(i -> i + 1).toArray();
    }

    /** The heads in a weights file; empty when it has none. A file whose heads are damaged is an InvalidCheckpointException. */
    public static Optional<ScoreHeads> read(Path weights) throws IOException {
        Map<String, String> metadata = Safetensors.metadata(weights);
        String settings = metadata.get(METADATA_KEY);
        if (settings == null) return Optional.empty();
        Map<String, Tensor> tensors = Safetensors.read(weights);
        try {
            JsonNode root = JSON.readTree(settings);
            List<LogisticHead> heads = new ArrayList<>();
            for (JsonNode h : root.path("heads")) {
                String name = h.path("name").asText();
                String p = PREFIX + name + ".";
                heads.add(new LogisticHead(name, doubles(tensors, p + "mean"), doubles(tensors, p + "scale"),
                        doubles(tensors, p + "weight"), doubles(tensors, p + "bias")[0],
                        h.path("threshold").isNumber() ? h.path("threshold").asDouble() : Double.NaN));
            }
            NoveltyReference ref = null;
            JsonNode n = root.path("novelty");
            if (n.isObject()) {
                Tensor r = tensor(tensors, PREFIX + "novelty.reference");
                float[] flat = r.toFloats();
                int rows = (int) r.shape()[0], cols = (int) r.shape()[1];
                float[][] reference = new float[rows][];
                for (int i = 0; i < rows; i++) reference[i] = java.util.Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
                ref = new NoveltyReference(tensor(tensors, PREFIX + "novelty.centre").toFloats(), tensor(tensors, PREFIX + "novelty.scale").toFloats(),
                        reference, n.path("k").asInt(), doubles(tensors, PREFIX + "novelty.calibration"));
            }
            Map<String, String> provenance = new LinkedHashMap<>();
            root.path("provenance").fields().forEachRemaining(e -> provenance.put(e.getKey(), e.getValue().asText()));
            return Optional.of(new ScoreHeads(heads, ref, root.path("anomaly_quantile").asDouble(DEFAULT_ANOMALY_QUANTILE), provenance));
        } catch (IOException | RuntimeException e) {
            throw new InvalidCheckpointException(weights.toString(), "its score heads are damaged: " + e.getMessage());
        }
    }

    /**
     * Writes these heads into a weights file, replacing any it had; the network's tensors and other metadata stay
     * as they were. The file's sha256 changes: write heads before publishing the version.
     */
    public void writeInto(Path weights) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Safetensors.read(weights).forEach((name, t) -> { if (!name.startsWith(PREFIX)) tensors.put(name, t); });
        Map<String, String> metadata = new LinkedHashMap<>(Safetensors.metadata(weights));
        ObjectNode root = JSON.createObjectNode();
        var list = root.putArray("heads");
        for (LogisticHead h : heads) {
            ObjectNode o = list.addObject().put("name", h.name());
            if (Double.isNaN(h.threshold())) o.putNull("threshold");
            else o.put("threshold", h.threshold());
            String p = PREFIX + h.name() + ".";
            tensors.put(p + "mean", vector(h.mean()));
            tensors.put(p + "scale", vector(h.scale()));
            tensors.put(p + "weight", vector(h.weights()));
            tensors.put(p + "bias", vector(new double[] {h.intercept()}));
        }
        if (novelty != null) {
            root.putObject("novelty").put("k", novelty.k());
            int rows = novelty.reference().length, cols = novelty.reference()[0].length;
            float[] flat = new float[rows * cols];
            for (int i = 0; i < rows; i++) System.arraycopy(novelty.reference()[i], 0, flat, i * cols, cols);
            tensors.put(PREFIX + "novelty.reference", Tensor.of(new long[] {rows, cols}, flat, Dtype.F32));
            tensors.put(PREFIX + "novelty.centre", Tensor.of(new long[] {cols}, novelty.centre(), Dtype.F32));
            tensors.put(PREFIX + "novelty.scale", Tensor.of(new long[] {cols}, novelty.scale(), Dtype.F32));
            tensors.put(PREFIX + "novelty.calibration", vector(novelty.calibration()));
        }
        root.put("anomaly_quantile", anomalyQuantile);
        ObjectNode prov = root.putObject("provenance");
        provenance.forEach(prov::put);
        metadata.put(METADATA_KEY, JSON.writeValueAsString(root));
        Safetensors.write(weights, tensors, metadata);
    }

    private static Tensor vector(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(new long[] {v.length}, f, Dtype.F32);
    }

    private static Tensor tensor(Map<String, Tensor> tensors, String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("tensor " + name + " is missing");
        return t;
    }

    private static double[] doubles(Map<String, Tensor> tensors, String name) {
        float[] f = tensor(tensors, name).toFloats();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Override
    public String toString() {
        return heads.size() + " heads" + (novelty != null ? ", novelty over " + novelty.reference().length + " references" : "");
    }
}
