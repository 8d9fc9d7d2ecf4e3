package org.astropt.stream.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's 2-D map: the newest {@code maxPoints} unit embeddings of the current model projected
 * on their two leading principal components ({@link Pca}), each point with its surprise, truth labels
 * and flags so the browser can colour it. Recomputed at most every {@code intervalMs}; between two
 * recomputations every caller gets the same map. Thread-safe.
 */
public final class EmbeddingMap {

    /** One point: an object at (x, y) with what the colours need. */
    public record Point(String id, float x, float y, Float surprise, String morphology, String artefacts, boolean flagged) {}

    private final ObjectCatalogue catalogue;
    private final int maxPoints;
    private final long intervalMs;
    private Map<String, Object> cached;
    private long computedAt = Long.MIN_VALUE;

    public EmbeddingMap(ObjectCatalogue catalogue, int maxPoints, long intervalMs) {
        this.catalogue = catalogue;
        this.maxPoints = maxPoints;
        this.intervalMs = intervalMs;
    }

    /** {model, points: [Point], explained: [pc1, pc2], computedAt}; points empty before any embedding. */
    public synchronized Map<String, Object> current(long nowMs) {
        if (cached != null && nowMs - computedAt < intervalMs) return cached;
        cached = compute(nowMs);
        computedAt = nowMs;
        return cached;
    }

    private Map<String, Object> compute(long nowMs) {
        Map<String, Object> out = new LinkedHashMap<>();
        String model = catalogue.latestModel();
        List<Point> points = new ArrayList<>();
        List<Double> explained = List.of();
        if (model != null) {
            LinkedHashMap<String, float[]> vectors = catalogue.index().newest(model, maxPoints);
            if (vectors.size() >= 2) {
                Pca pca = Pca.of(new ArrayList<>(vectors.values()));
                explained = List.of(pca.explained(0), pca.explained(1));
                vectors.forEach((id, v) -> {
                    ObjectView o = catalogue.get(id);
                    if (o == null) return;
                    float[] xy = pca.project(v);
                    points.add(new Point(id, xy[0], xy[1], o.surprise(), o.morphology(), o.artefacts(), !o.flags().isEmpty()));
                });
            }
        }
        out.put("model", model);
        out.put("explained", explained);
        out.put("points", points);
        out.put("computedAt", nowMs);
        return out;
    }
}
