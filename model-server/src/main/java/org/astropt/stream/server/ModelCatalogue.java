package org.astropt.stream.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;

/**
 * Every model version on the models topic, latest record per {@code name:version} (the topic's key), and
 * what the trainer left beside each version's weights: metrics.json (held-out loss and the like) and
 * train-log.csv (step, loss, lr, tokens_per_s, ...). Those files are read only for local weights
 * (file: URIs or plain paths) and may be absent: no file, no curve. Thread-safe.
 */
public final class ModelCatalogue {

    public static final String METRICS_FILE = "metrics.json";
    public static final String TRAIN_LOG_FILE = "train-log.csv";
    /** Names under which a held-out loss may be reported, most specific first. */
    static final List<String> HELD_OUT_KEYS = List.of("held_out_loss", "heldout_loss", "val_loss", "validation_loss", "eval_loss");
    /** Points of a training curve sent to the dashboard: more would not show on a 400 px chart. */
    static final int CURVE_POINTS = 400;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String configuredName;
    private final Map<String, TreeMap<Long, ModelVersion>> byName = new LinkedHashMap<>();
    private String lastName;

    /** @param modelName the model this server serves; null: whichever name the topic carries (the last seen) */
    public ModelCatalogue(String modelName) {
        this.configuredName = modelName;
    }

    public synchronized void onRecord(ModelVersion v) {
        byName.computeIfAbsent(v.getName(), k -> new TreeMap<>()).put(v.getVersion(), v);
        lastName = v.getName();
    }

    /** The model served: the configured name, else the last name seen; null before any record. */
    public synchronized String modelName() {
        return configuredName != null ? configuredName : lastName;
    }

    /** Versions of the served model, newest first. */
    public synchronized List<ModelVersion> versions() {
        String name = modelName();
        if (name == null || !byName.containsKey(name)) return List.of();
        List<ModelVersion> out = new ArrayList<>(byName.get(name).values());
        out.sort(Comparator.comparingLong(ModelVersion::getVersion).reversed());
        return out;
    }

    public synchronized ModelVersion version(long version) {
        String name = modelName();
        return name == null || !byName.containsKey(name) ? null : byName.get(name).get(version);
    }

    /** The version that serves: the highest PROMOTED one (what the pipeline serves too); null when none. */
    public synchronized ModelVersion promoted() {
        return versions().stream().filter(v -> v.getStatus() == ModelStatus.PROMOTED).findFirst().orElse(null);
    }

    public synchronized int size() {
        return byName.values().stream().mapToInt(Map::size).sum();
    }

    /** The local folder of a version's weights, or null when they are not on a local file system. */
    static Path folder(ModelVersion v) {
        try {
            URI uri = URI.create(v.getWeightsUri());
            Path weights = uri.getScheme() == null ? Path.of(v.getWeightsUri())
                    : "file".equals(uri.getScheme()) ? Path.of(uri) : null;
            return weights == null ? null : weights.toAbsolutePath().getParent();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** metrics.json beside the weights as an object; empty when absent or unreadable. */
    static Map<String, Object> metricsFile(ModelVersion v) {
        Path dir = folder(v);
        if (dir == null || !Files.isRegularFile(dir.resolve(METRICS_FILE))) return Map.of();
        try {
            JsonNode node = JSON.readTree(dir.resolve(METRICS_FILE).toFile());
            if (node == null || !node.isObject()) return Map.of();
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.convertValue(node, Map.class);
            return m;
        } catch (IOException | IllegalArgumentException e) {
            return Map.of();
        }
    }

    /** The held-out loss: from the record's metrics, else from metrics.json; null when neither has one. */
    static Double heldOutLoss(ModelVersion v, Map<String, Object> file) {
        for (String k : HELD_OUT_KEYS) {
            Double d = v.getMetrics().get(k);
            if (d != null && Double.isFinite(d)) return d;
        }
        for (String k : HELD_OUT_KEYS) {
            if (file.get(k) instanceof Number n && Double.isFinite(n.doubleValue())) return n.doubleValue();
        }
        return null;
    }

    /**
     * train-log.csv beside the weights as columns (header name -> values, null for empty cells), evenly
     * thinned to at most {@link #CURVE_POINTS} rows; empty when the file is absent or has no header.
     */
    static Map<String, List<Double>> curve(ModelVersion v) {
        Path dir = folder(v);
        if (dir == null || !Files.isRegularFile(dir.resolve(TRAIN_LOG_FILE))) return Map.of();
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(TRAIN_LOG_FILE), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Map.of();
        }
        if (lines.isEmpty()) return Map.of();
        String[] header = lines.get(0).trim().split(",");
        List<String> rows = lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
        int stride = Math.max(1, (int) Math.ceil(rows.size() / (double) CURVE_POINTS));
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (String h : header) out.put(h.trim(), new ArrayList<>());
        for (int r = 0; r < rows.size(); r++) {
            if (r % stride != 0 && r != rows.size() - 1) continue;
            String[] cells = Arrays.copyOf(rows.get(r).split(",", -1), header.length);
            for (int c = 0; c < header.length; c++) out.get(header[c].trim()).add(number(cells[c]));
        }
        return out;
    }

    private static Double number(String cell) {
        if (cell == null || cell.isBlank()) return null;
        try {
            double d = Double.parseDouble(cell.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
