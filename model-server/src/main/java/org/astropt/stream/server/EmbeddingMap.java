package org.astropt.stream.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's 2-D map: the newest {@code maxPoints} embeddings of the version answers come from
 * ({@link ObjectCatalogue#searchSpace}: the serving one once a backfill has covered the catalogue), as the index
 * compares them (standardised with the version's statistics where it published them, then unit length), projected
 * on the two leading principal components of their bulk ({@link #bulk}), each point with its surprise and scores,
 * truth labels and flags so the browser can colour it. Recomputed at most every {@code intervalMs}; between two
 * recomputations every caller gets the same map. Thread-safe.
 */
public final class EmbeddingMap {

    /** One point: an object at (x, y) with what the colours need, and its version's scores ({@link ObjectView#scores}). */
    public record Point(String id, float x, float y, Float surprise, String morphology, String artefacts, boolean flagged,
            Map<String, Double> scores, java.util.List<String> flags, String novel) {}

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

    /**
     * {model, version (the same name:version), coverage, standardisedWith, points: [Point], explained: [pc1, pc2],
     * computedAt}; points empty before any embedding.
     */
    public synchronized Map<String, Object> current(long nowMs) {
        if (cached != null && nowMs - computedAt < intervalMs) return cached;
        cached = compute(nowMs);
        computedAt = nowMs;
        return cached;
    }

    /**
     * PCA of the bulk: a first PCA of every point, then again without the points far from the mean
     * (beyond the median distance plus {@link #TRIM_MADS} median absolute deviations). Saturated stars
     * and empty blocks embed far from any galaxy; left in, they take the first axis for themselves and
     * squeeze every galaxy into one spot. They are still drawn, projected on the bulk's axes.
     */
    static Pca bulk(List<float[]> vectors) {
        Pca all = Pca.of(vectors);
        double[] d = new double[vectors.size()];
        for (int i = 0; i < d.length; i++) d[i] = distance(vectors.get(i), all.mean());
        double median = median(d.clone());
        double[] dev = new double[d.length];
        for (int i = 0; i < d.length; i++) dev[i] = Math.abs(d[i] - median);
        double limit = median + TRIM_MADS * median(dev);
        List<float[]> kept = new ArrayList<>();
        for (int i = 0; i < d.length; i++) if (d[i] <= limit) kept.add(vectors.get(i));
        return kept.size() >= 2 && kept.size() < vectors.size() ? Pca.of(kept) : all;
    }

    /** Points further out than this many median absolute deviations of the distance do not steer the axes. */
    static final double TRIM_MADS = 3;

    private static double distance(float[] v, float[] mean) {
        double s = 0;
        for (int i = 0; i < v.length; i++) s += (double) (v[i] - mean[i]) * (v[i] - mean[i]);
        return Math.sqrt(s);
    }

    private static double median(double[] v) {
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private Map<String, Object> compute(long nowMs) {
        Map<String, Object> out = new LinkedHashMap<>();
        SimilarityIndex.Space space = catalogue.searchSpace();
        String model = space == null ? null : space.version();
        List<Point> points = new ArrayList<>();
        List<Double> explained = List.of();
        if (model != null) {
            LinkedHashMap<String, float[]> vectors = catalogue.index().newest(model, maxPoints);
            if (vectors.size() >= 2) {
                Pca pca = bulk(new ArrayList<>(vectors.values()));
                explained = List.of(pca.explained(0), pca.explained(1));
                vectors.forEach((id, v) -> {
                    ObjectView o = catalogue.get(id);
                    if (o == null) return;
                    float[] xy = pca.project(v);
                    points.add(new Point(id, xy[0], xy[1], o.surprise(), o.morphology(), o.artefacts(), !o.flags().isEmpty(), o.scores(),
                            o.flags(), novel(o.metadata())));
                });
            }
        }
        out.put("model", model);
        out.put("version", model);
        out.put("coverage", space == null ? null : space.coverage());
        out.put("standardisedWith", catalogue.standardisedWith(model));
        out.put("explained", explained);
        out.put("points", points);
        out.put("computedAt", nowMs);
        return out;
    }

    /** The synthetic truth's novel kind (MERGER, RING, LENSED_ARC) of a record's metadata; null for an ordinary or real object. */
    static String novel(Map<String, String> metadata) {
        String v = metadata == null ? null : metadata.getOrDefault("truth.novel", metadata.get("NOVEL"));
        return v == null || v.isBlank() ? null : v.trim();
    }
}
