package org.astropt.stream.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.InvalidCheckpointException;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.Flag;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.StageTimings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory picture of the stream that the API and dashboard read: one {@link ObjectView} per object
 * (at most {@code capacity}, the least recently updated leave first, taking their vector out of the
 * {@link SimilarityIndex} with them), the newest embedded objects for the live feed, and the newest flags.
 * Each model version's published embedding statistics (embedding-stats.json beside local weights) go to the
 * index, which compares that version's vectors standardised with them. Fed by {@link TopicReader}; thread-safe.
 *
 * <p>The index keeps the vectors of two model versions at most ({@link SimilarityIndex}); {@link #searchSpace}
 * is the one /similar and the map answer from: the newest version once its vectors cover {@code switchCoverage}
 * of the embedded objects (a backfill after a promotion gets it there), the previous one until then. An object's
 * view shows its newest version's embedding: a late record of an older version changes only that version's
 * vector. Records a backfill wrote (marked {@link Topics#BACKFILL_METADATA_KEY}) re-embed objects seen before,
 * so they stay out of the live feed.
 */
public final class ObjectCatalogue {

    private static final Logger LOG = LoggerFactory.getLogger(ObjectCatalogue.class);

    /** One Flag record as GET /flags shows it; artefactKind names an ARTEFACT flag's kind (null for the any-artefact head and other kinds). */
    public record FlagView(String id, String kind, double score, double threshold, String modelName, Long modelVersion,
            String reason, long time, String artefactKind) {}

    private final int capacity;
    private final int feedSize;
    private final int flagsKept;
    private final SimilarityIndex index;
    private final LinkedHashMap<String, ObjectView> objects = new LinkedHashMap<>();
    private final Deque<String> recent = new ArrayDeque<>();
    private final Deque<FlagView> flags = new ArrayDeque<>();
    /** Alerts by the object they belong to: objectId -> the candids held (embeddings whose metadata names both). */
    private final Map<String, Set<String>> alertsByObject = new java.util.HashMap<>();
    /** name:version of every model version whose statistics were looked for (once each: a version has several records). */
    private final Set<String> statisticsLookedFor = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final double switchCoverage;
    private long seq;
    /** Objects in the catalogue with at least one embedding. */
    private long embedded;
    /** Of those, by the model name of their latest embedding: the denominator of a name's coverage. */
    private final Map<String, Long> embeddedByName = new java.util.HashMap<>();

    /** Answers move to a new version at {@link ServerSettings#DEFAULT_SWITCH_COVERAGE} coverage. */
    public ObjectCatalogue(int capacity, int feedSize, int flagsKept) {
        this(capacity, feedSize, flagsKept, ServerSettings.DEFAULT_SWITCH_COVERAGE);
    }

    /** @param switchCoverage share of the embedded objects a new version's vectors must cover before answers move to it */
    public ObjectCatalogue(int capacity, int feedSize, int flagsKept, double switchCoverage) {
        this.switchCoverage = switchCoverage;
        this.capacity = capacity;
        this.feedSize = feedSize;
        this.flagsKept = flagsKept;
        this.index = new SimilarityIndex(capacity);
    }

    public SimilarityIndex index() { return index; }

    /** A cutout arrived: where it came from and, for the synthetic survey, its truth. */
    public void onCutout(String id, String survey, Double ra, Double dec, Map<String, String> metadata, long now) {
        onCutout(id, survey, ra, dec, metadata, null, now);
    }

    /** A cutout arrived, with where the token grid lies on it (null when it did not decode). */
    public synchronized void onCutout(String id, String survey, Double ra, Double dec, Map<String, String> metadata,
            ObjectView.TokenGrid grid, long now) {
        update(id, o -> o.withCutout(survey, ra, dec, Truth.morphology(metadata), Truth.artefacts(metadata), grid, now));
    }

    /**
     * An embedding arrived: its vector goes to its version's space, and, unless the object already shows a newer
     * version, it replaces the object's scores.
     */
    public synchronized ObjectView onEmbedding(Embedding e, long now) {
        float[] vector = new float[e.getVector().size()];
        for (int i = 0; i < vector.length; i++) vector[i] = e.getVector().get(i);
        long n = ++seq;
        String model = Topics.modelKey(e.getModelName(), e.getModelVersion());
        ObjectView old = objects.get(e.getId());
        ObjectView v = old != null && old.embedded() && old.modelVersion() > e.getModelVersion() ? old
                : update(e.getId(), o -> o.withEmbedding(n, e.getModelName(), e.getModelVersion(), e.getSurprise(),
                        e.getFlags(), timings(e.getTimings()), e.getMetadata(), Truth.morphology(e.getMetadata()),
                        Truth.artefacts(e.getMetadata()), now, e.getScores(), e.getHardestTokens()));
        index.put(e.getId(), model, vector);
        String objectId = e.getMetadata().get(ALERT_OBJECT_KEY);
        if (objectId != null && e.getId().equals(e.getMetadata().get(ALERT_ID_KEY))) {
            alertsByObject.computeIfAbsent(objectId, k -> new java.util.LinkedHashSet<>()).add(e.getId());
        }
        if (!e.getMetadata().containsKey(Topics.BACKFILL_METADATA_KEY)) {
            recent.addFirst(e.getId());
            while (recent.size() > 4 * feedSize) recent.removeLast();
        }
        return v;
    }

    /**
     * The space /similar and the map answer from (class doc): its version, and the share of the embedded
     * objects it covers; null before any embedding.
     */
    public synchronized SimilarityIndex.Space searchSpace() {
        return index.answering(name -> embeddedByName.getOrDefault(name, 0L), switchCoverage);
    }

    /**
     * The space /similar searches for one object: the {@link #searchSpace} when the object has a vector there,
     * else the newest kept one that has (a new object the answering version has not embedded); null when none has.
     */
    public synchronized SimilarityIndex.Space searchSpaceOf(String id) {
        SimilarityIndex.Space answering = searchSpace();
        if (answering == null) return null;
        if (index.contains(id, answering.version())) return answering;
        for (String space : index.spaces()) {
            if (index.contains(id, space)) return index.space(space, embeddedByName.getOrDefault(SimilarityIndex.nameOf(space), 0L));
        }
        return null;
    }

    /** Objects with at least one embedding (of any version), of those the catalogue holds. */
    public synchronized long embeddedObjects() { return embedded; }

    /**
     * A model version record arrived: the first for its name:version reads the statistics it published (local
     * file: weights only, {@link ModelFolder#embeddingStats}) into the index; without them (an older version, a
     * remote store, an unreadable file) its vectors are compared raw, and the log says so once.
     */
    public void onModelVersion(ModelVersion v) {
        String key = v.getName() + ":" + v.getVersion();
        if (!statisticsLookedFor.add(key)) return;
        java.util.Optional<ModelFolder> folder = ModelFolder.at(v.getWeightsUri());
        if (folder.isEmpty()) {
            LOG.info("model {}: weights at {} are not in a local folder, so its embedding statistics are not read; /similar and the map compare its raw embeddings",
                    key, v.getWeightsUri());
            return;
        }
        try {
            java.util.Optional<EmbeddingStats> stats = folder.get().embeddingStats();
            if (stats.isPresent()) {
                index.useStatistics(key, stats.get());
                LOG.info("model {}: /similar and the map compare its embeddings standardised with its {} ({} held-out embeddings)",
                        key, ModelFolder.EMBEDDING_STATS_FILE, stats.get().count());
            } else {
                LOG.info("model {} publishes no embedding statistics (no {} in {}: made before versions published them); /similar and the map compare its raw embeddings",
                        key, ModelFolder.EMBEDDING_STATS_FILE, folder.get());
            }
        } catch (InvalidCheckpointException e) {
            LOG.warn("model {}: {}; /similar and the map compare its raw embeddings", key, e.getMessage());
        }
    }

    /** name:version whose published statistics standardise the model's vectors; null when they are compared raw. */
    public String standardisedWith(String model) {
        return model != null && index.statistics(model) != null ? model : null;
    }

    public synchronized void onFlag(Flag f, long now) {
        update(f.getId(), o -> o.withFlag(f.getKind().name(), now));
        flags.addFirst(new FlagView(f.getId(), f.getKind().name(), f.getScore(), f.getThreshold(), f.getModelName(),
                f.getModelVersion(), f.getReason(), f.getTime().toEpochMilli(), f.getArtefactKind()));
        while (flags.size() > flagsKept) flags.removeLast();
    }

    private ObjectView update(String id, java.util.function.UnaryOperator<ObjectView> change) {
        ObjectView old = objects.remove(id);
        ObjectView now = change.apply(old != null ? old : ObjectView.empty(id));
        objects.put(id, now);
        if (now.embedded() && (old == null || !old.embedded())) embedded++;
        if (now.embedded() && (old == null || !now.modelName().equals(old.modelName()))) {
            embeddedByName.merge(now.modelName(), 1L, Long::sum);
            if (old != null && old.embedded()) embeddedByName.merge(old.modelName(), -1L, Long::sum);
        }
        if (objects.size() > capacity) {
            Iterator<ObjectView> eldest = objects.values().iterator();
            ObjectView gone = eldest.next();
            eldest.remove();
            if (gone.embedded()) {
                embedded--;
                embeddedByName.merge(gone.modelName(), -1L, Long::sum);
            }
            index.remove(gone.id());
            String objectId = gone.metadata() == null ? null : gone.metadata().get(ALERT_OBJECT_KEY);
            Set<String> alerts = objectId == null ? null : alertsByObject.get(objectId);
            if (alerts != null && alerts.remove(gone.id()) && alerts.isEmpty()) alertsByObject.remove(objectId);
        }
        return now;
    }

    public synchronized ObjectView get(String id) { return objects.get(id); }

    /** The metadata keys of an embedded alert (core AlertFields): its own id, and the object it belongs to. */
    static final String ALERT_ID_KEY = "candid", ALERT_OBJECT_KEY = "objectId";

    /**
     * The alerts held of one survey object (ZTF objectId, Rubin diaObjectId), oldest first by their jd or mjd
     * (alerts without either last, in arrival order); empty when none is held.
     */
    public synchronized List<ObjectView> alertsOf(String objectId) {
        Set<String> ids = alertsByObject.get(objectId);
        if (ids == null) return List.of();
        List<ObjectView> out = new ArrayList<>();
        for (String id : ids) {
            ObjectView o = objects.get(id);
            if (o != null) out.add(o);
        }
        out.sort(java.util.Comparator.comparingDouble(ObjectCatalogue::alertTime));
        return out;
    }

    /** An alert's time as a Julian date (from jd, or mjd + 2400000.5); +infinity when it has neither. */
    static double alertTime(ObjectView o) {
        Map<String, String> m = o.metadata() == null ? Map.of() : o.metadata();
        try {
            if (m.containsKey("jd")) return Double.parseDouble(m.get("jd"));
            if (m.containsKey("mjd")) return Double.parseDouble(m.get("mjd")) + 2400000.5;
        } catch (NumberFormatException e) {
            // not a number: last
        }
        return Double.POSITIVE_INFINITY;
    }

    public synchronized int size() { return objects.size(); }

    /** The newest embedded objects, newest first. */
    public synchronized List<ObjectView> feed(int limit) {
        List<ObjectView> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String id : recent) {
            if (out.size() >= Math.min(limit, feedSize)) break;
            ObjectView o = objects.get(id);
            if (o != null && o.embedded() && seen.add(id)) out.add(o);
        }
        return out;
    }

    /** The newest flags, newest first. */
    public synchronized List<FlagView> flags(int limit) {
        return flags.stream().limit(limit).toList();
    }

    /** The newest flagged objects (one entry per object), newest flag first. */
    public synchronized List<ObjectView> flagged(int limit) {
        Set<String> ids = new LinkedHashSet<>();
        for (FlagView f : flags) {
            if (ids.size() >= limit) break;
            ids.add(f.id());
        }
        return ids.stream().map(objects::get).filter(o -> o != null).toList();
    }

    /** name:version of the newest version with vectors in the index; null before any. */
    public String latestModel() {
        List<String> spaces = index.spaces();
        return spaces.isEmpty() ? null : spaces.get(0);
    }

    public synchronized long embeddingsSeen() { return seq; }

    private static Map<String, Long> timings(StageTimings t) {
        if (t == null) return Map.of();
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("decodeMicros", t.getDecodeMicros());
        out.put("tokenizeMicros", t.getTokenizeMicros());
        out.put("embedMicros", t.getEmbedMicros());
        if (t.getSourceTime() != null) out.put("sourceTime", t.getSourceTime().toEpochMilli());
        out.put("producedTime", t.getProducedTime().toEpochMilli());
        return out;
    }

    /** The synthetic survey's truth as cutouts carry it: FITS cards MORPH and ARTEFACT (or the record's metadata). */
    static final class Truth {
        private Truth() {}

        static String morphology(Map<String, String> m) {
            String v = first(m, "MORPH", "truth.morphology", "morphology");
            return v == null ? null : v.trim().toUpperCase(java.util.Locale.ROOT);
        }

        static String artefacts(Map<String, String> m) {
            String v = first(m, "ARTEFACT", "truth.artefacts", "artefacts");
            return v == null ? null : v.trim();
        }

        private static String first(Map<String, String> m, String... keys) {
            if (m == null) return null;
            for (String k : keys) {
                String v = m.get(k);
                if (v != null) return v;
            }
            return null;
        }
    }
}
