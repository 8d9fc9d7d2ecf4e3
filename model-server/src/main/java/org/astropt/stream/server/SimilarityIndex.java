package org.astropt.stream.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.astropt.stream.core.model.EmbeddingStats;

/**
 * Exact nearest neighbours by cosine similarity: per embedding space, one unit vector per object id (the
 * latest embedding wins), at most {@code capacity} of them (the least recently updated id leaves first),
 * searched by a full scan with a k-sized min-heap. Exact is cheap enough here: at 100k 128-wide vectors one
 * scan is 12.8M multiply-adds (docs/BENCHMARKS.md, "Model server").
 *
 * <p>A space is the model version that made the vectors ({@code name:version}): embeddings of different
 * versions are not comparable, so a search compares only vectors of one. At most {@value #SPACES} spaces
 * per model name are kept, so memory stays bounded while a backfill fills the newest version's space and the
 * previous one still answers ({@link #answering}). A vector of a version newer than both of its name makes a new
 * space and drops the one of the two with fewer vectors (the previous serving version, unless an earlier one
 * still covers more of the catalogue); a vector of a version older than the newest of its name that is not kept
 * is ignored. Several model names are served at once (the galaxy model and an alert model, each for its own
 * objects): each name keeps its own spaces, and answers that search one space ({@link #answering}) come from
 * the name that holds the most vectors.
 *
 * <p>Similarity is the cosine of standardised vectors, (v - mean) / std with the statistics the model
 * version published ({@link #useStatistics}, from its embedding-stats.json): AstroPT embeddings share a large
 * common direction, and raw cosine says 0.999 for almost every pair (docs/BENCHMARKS.md, "Similarity").
 * A model without statistics (a version from before they were published) is compared on raw vectors.
 * Statistics that arrive after some of the model's vectors restandardise those, so one model's vectors are
 * always in one space. Thread-safe: searches share a read lock, updates take the write lock.
 */
public final class SimilarityIndex {

    /** One search result: cosine similarity in [-1, 1]. */
    public record Neighbour(String id, float similarity) {}

    /**
     * An embedding space as an answer reports it: the version ({@code name:version}), its vectors, and the
     * share of the known objects they cover.
     */
    public record Space(String version, int vectors, double coverage) {}

    /** Embedding spaces kept per model name: the newest version's, which a backfill fills, and one that answers meanwhile. */
    public static final int SPACES = 2;

    private static final Comparator<Neighbour> WORST_FIRST =
            Comparator.comparingDouble(Neighbour::similarity).thenComparing(Neighbour::id, Comparator.reverseOrder());

    private final int capacity;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** space (name:version) -> id -> slot, each in update order (eldest first): the eviction order. */
    private final Map<String, LinkedHashMap<String, Integer>> spaces = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<float[]> vectors = new ArrayList<>();
    private final List<String> models = new ArrayList<>();
    /** |z| of each stored vector z (standardised or raw), so {@link #vector} gives back what was put. */
    private final List<Double> norms = new ArrayList<>();
    /** The statistics each stored vector was standardised with; null: raw. */
    private final List<EmbeddingStats> standardisedWith = new ArrayList<>();
    /** name:version -> the statistics that version published. */
    private final Map<String, EmbeddingStats> statistics = new HashMap<>();
    private final List<Integer> free = new ArrayList<>();

    public SimilarityIndex(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("index capacity must be at least 1, got " + capacity);
        this.capacity = capacity;
    }

    /**
     * Stores (a standardised, normalised copy of) the object's vector in its model's space; replaces what the id
     * had there; evicts the space's eldest id when it is full. False when the space is not kept (class doc).
     */
    public boolean put(String id, String model, float[] vector) {
        lock.writeLock().lock();
        try {
            LinkedHashMap<String, Integer> slots = spaces.get(model);
            if (slots == null) {
                if (!admit(model)) return false;
                slots = new LinkedHashMap<>();
                spaces.put(model, slots);
            }
            Integer slot = slots.remove(id);
            if (slot == null && slots.size() >= capacity) {
                Iterator<Map.Entry<String, Integer>> eldest = slots.entrySet().iterator();
                slot = eldest.next().getValue();
                eldest.remove();
            }
            if (slot == null) slot = free.isEmpty() ? newSlot() : free.remove(free.size() - 1);
            ids.set(slot, id);
            models.set(slot, model);
            store(slot, vector, statistics.get(model));
            slots.put(id, slot);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether a new space for model may open (under the write lock); opening a third of its name drops one (class doc). */
    private boolean admit(String model) {
        List<String> kept = new ArrayList<>(spaces.keySet());
        kept.removeIf(space -> !nameOf(space).equals(nameOf(model)));
        if (kept.size() < SPACES) return true;
        kept.sort(NEWEST_FIRST);
        if (NEWEST_FIRST.compare(model, kept.get(0)) >= 0) return false; // not newer than the newest
        String drop = null;
        for (String space : kept) {
            if (drop == null || spaces.get(space).size() <= spaces.get(drop).size()) drop = space; // the oldest on a tie
        }
        for (int slot : spaces.remove(drop).values()) clear(slot);
        return true;
    }

    /** Model keys by version number, newest first ({@code name:version}; a key without a number counts as 0). */
    static final Comparator<String> NEWEST_FIRST = Comparator.comparingLong(SimilarityIndex::versionOf).reversed()
            .thenComparing(Comparator.reverseOrder());

    /** The model name of a key {@code name:version}. */
    static String nameOf(String model) {
        int colon = model.lastIndexOf(':');
        return colon < 0 ? model : model.substring(0, colon);
    }

    static long versionOf(String model) {
        try {
            return Long.parseLong(model.substring(model.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Takes the object's vectors out of every space. */
    public void remove(String id) {
        lock.writeLock().lock();
        try {
            for (LinkedHashMap<String, Integer> slots : spaces.values()) {
                Integer slot = slots.remove(id);
                if (slot != null) clear(slot);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void clear(int slot) {
        ids.set(slot, null);
        vectors.set(slot, null);
        models.set(slot, null);
        norms.set(slot, null);
        standardisedWith.set(slot, null);
        free.add(slot);
    }

    /** {@link #answering(java.util.function.ToLongFunction, double)} with known objects counted over every model name. */
    public Space answering(long known, double switchCoverage) {
        return answering(name -> known, switchCoverage);
    }

    /**
     * The space an answer searches, among the spaces of the model name holding the most vectors: the newest whose
     * vectors cover at least {@code switchCoverage} of the objects of that name ({@code knownOfName}), else the other
     * one kept (the previous version, while a backfill fills the newest), else the newest; null before any vector.
     * Coverage is vectors / known (1 when known is 0).
     */
    public Space answering(java.util.function.ToLongFunction<String> knownOfName, double switchCoverage) {
        lock.readLock().lock();
        try {
            Map<String, Integer> vectorsByName = new HashMap<>();
            spaces.forEach((space, slots) -> vectorsByName.merge(nameOf(space), slots.size(), Integer::sum));
            String name = vectorsByName.entrySet().stream()
                    .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                    .map(Map.Entry::getKey).orElse(null);
            if (name == null) return null;
            List<String> newestFirst = new ArrayList<>(spaces.keySet());
            newestFirst.removeIf(space -> !nameOf(space).equals(name));
            newestFirst.sort(NEWEST_FIRST);
            long known = knownOfName.applyAsLong(name);
            Space newest = space(newestFirst.get(0), known);
            if (newest.coverage() >= switchCoverage || newestFirst.size() == 1) return newest;
            return space(newestFirst.get(1), known);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One space's figures (its version need not be kept: then 0 vectors). */
    public Space space(String model, long known) {
        lock.readLock().lock();
        try {
            LinkedHashMap<String, Integer> slots = spaces.get(model);
            int n = slots == null ? 0 : slots.size();
            return new Space(model, n, known <= 0 ? 1 : Math.min(1, n / (double) known));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The spaces kept, newest first. */
    public List<String> spaces() {
        lock.readLock().lock();
        try {
            List<String> out = new ArrayList<>(spaces.keySet());
            out.sort(NEWEST_FIRST);
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The newest kept space that holds a vector of id, or null. Under a lock. */
    private String newestSpaceOf(String id) {
        String best = null;
        for (Map.Entry<String, LinkedHashMap<String, Integer>> e : spaces.entrySet()) {
            if (e.getValue().containsKey(id) && (best == null || NEWEST_FIRST.compare(e.getKey(), best) < 0)) best = e.getKey();
        }
        return best;
    }

    /** Whether the space of model holds a vector of id. */
    public boolean contains(String id, String model) {
        lock.readLock().lock();
        try {
            LinkedHashMap<String, Integer> slots = spaces.get(model);
            return slots != null && slots.containsKey(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    private int newSlot() {
        ids.add(null);
        vectors.add(null);
        models.add(null);
        norms.add(null);
        standardisedWith.add(null);
        return ids.size() - 1;
    }

    /** The slot's unit vector and norm of v standardised with stats (raw when null or of another width). Under the write lock. */
    private void store(int slot, float[] v, EmbeddingStats stats) {
        EmbeddingStats used = stats != null && stats.dimensions() == v.length ? stats : null;
        float[] z = used != null ? used.standardise(v) : v;
        vectors.set(slot, normalised(z));
        norms.set(slot, norm(z));
        standardisedWith.set(slot, used);
    }

    /**
     * The statistics model version {@code model} published: its vectors, those stored now and those to come,
     * are compared standardised with them. Null goes back to raw vectors.
     */
    public void useStatistics(String model, EmbeddingStats stats) {
        lock.writeLock().lock();
        try {
            if (stats == null) statistics.remove(model);
            else statistics.put(model, stats);
            for (int slot : spaces.getOrDefault(model, new LinkedHashMap<>()).values()) {
                if (standardisedWith.get(slot) != stats) store(slot, raw(slot), stats);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The statistics the vectors of {@code model} are standardised with; null when they are compared raw. */
    public EmbeddingStats statistics(String model) {
        lock.readLock().lock();
        try {
            return statistics.get(model);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The vector of a slot as it was put: unit * |z|, unstandardised. Under a lock. */
    private float[] raw(int slot) {
        float[] unit = vectors.get(slot);
        double n = norms.get(slot);
        float[] z = new float[unit.length];
        for (int i = 0; i < z.length; i++) z[i] = (float) (unit[i] * n);
        EmbeddingStats used = standardisedWith.get(slot);
        return used == null ? z : used.unstandardise(z);
    }

    /** The vector as it was put (up to float rounding) in the newest space that has the id, or null when no space has it. */
    public float[] vector(String id) {
        lock.readLock().lock();
        try {
            String space = newestSpaceOf(id);
            return space == null ? null : raw(spaces.get(space).get(id));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Vectors held, every space together. */
    public int size() {
        lock.readLock().lock();
        try {
            return spaces.values().stream().mapToInt(Map::size).sum();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The k most similar objects to the stored object {@code id} (itself excluded) in the newest space that has
     * it, best first; null when the id is unknown.
     */
    public List<Neighbour> nearest(String id, int k) {
        lock.readLock().lock();
        try {
            String space = newestSpaceOf(id);
            return space == null ? null : nearest(id, space, k);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The k objects most similar to the stored object {@code id} in the space of {@code model}; null when it has no vector there. */
    public List<Neighbour> nearest(String id, String model, int k) {
        lock.readLock().lock();
        try {
            LinkedHashMap<String, Integer> slots = spaces.get(model);
            Integer slot = slots == null ? null : slots.get(id);
            if (slot == null) return null;
            return scan(vectors.get(slot), model, k, id);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The k stored objects of {@code model} most similar to {@code query} (a raw embedding of that model), best first. */
    public List<Neighbour> nearest(float[] query, String model, int k) {
        lock.readLock().lock();
        try {
            EmbeddingStats stats = statistics.get(model);
            float[] unit = normalised(stats != null && stats.dimensions() == query.length ? stats.standardise(query) : query);
            return scan(unit, model, k, null);
        } finally {
            lock.readLock().unlock();
        }
    }

    private List<Neighbour> scan(float[] query, String model, int k, String exclude) {
        if (k < 1) return List.of();
        PriorityQueue<Neighbour> best = new PriorityQueue<>(k + 1, WORST_FIRST);
        float floor = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < vectors.size(); s++) {
            float[] v = vectors.get(s);
            if (v == null || v.length != query.length || !model.equals(models.get(s))) continue;
            float dot = dot(v, query);
            if (best.size() == k && dot < floor) continue;
            String id = ids.get(s);
            if (id.equals(exclude)) continue;
            best.add(new Neighbour(id, dot));
            if (best.size() > k) best.poll();
            if (best.size() == k) floor = best.peek().similarity();
        }
        List<Neighbour> out = new ArrayList<>(best);
        out.sort(WORST_FIRST.reversed());
        return out;
    }

    /** The newest {@code limit} vectors of one model as compared (standardised, unit length), keyed by id, oldest first (for the map). */
    public LinkedHashMap<String, float[]> newest(String model, int limit) {
        lock.readLock().lock();
        try {
            List<Map.Entry<String, Integer>> all = new ArrayList<>(spaces.getOrDefault(model, new LinkedHashMap<>()).entrySet());
            LinkedHashMap<String, float[]> out = new LinkedHashMap<>();
            for (int i = all.size() - 1; i >= 0 && out.size() < limit; i--) {
                int s = all.get(i).getValue();
                out.put(ids.get(s), vectors.get(s));
            }
            LinkedHashMap<String, float[]> oldestFirst = new LinkedHashMap<>();
            List<String> keys = new ArrayList<>(out.keySet());
            for (int i = keys.size() - 1; i >= 0; i--) oldestFirst.put(keys.get(i), out.get(keys.get(i)));
            return oldestFirst;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many vectors each model has. */
    public Map<String, Integer> countsByModel() {
        lock.readLock().lock();
        try {
            Map<String, Integer> out = new HashMap<>();
            spaces.forEach((model, slots) -> out.put(model, slots.size()));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Four partial sums: the JIT does not reorder a float reduction on its own, and one running sum makes
     * each multiply-add wait for the one before (docs/BENCHMARKS.md, model server).
     */
    static float dot(float[] a, float[] b) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int n = a.length - 3; i < n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) s0 += a[i] * b[i];
        return (s0 + s1) + (s2 + s3);
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        return Double.isFinite(sum) ? Math.sqrt(sum) : 0;
    }

    /** v / |v|; a zero vector stays zero (similarity 0 to everything), and so does one with NaN or infinite values. */
    static float[] normalised(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        float[] out = v.clone();
        if (sum == 0 || !Double.isFinite(sum)) {
            if (!Double.isFinite(sum)) java.util.Arrays.fill(out, 0f);
            return out;
        }
        float inv = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < out.length; i++) out[i] *= inv;
        return out;
    }
}
