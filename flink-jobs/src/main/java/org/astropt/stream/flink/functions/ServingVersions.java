package org.astropt.stream.flink.functions;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.astropt.stream.flink.records.ModelPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which model version serves, per model name: takes the records of the models topic and the outcome of
 * each load, and answers which version to load next, whether a loaded one serves, and what goes into a
 * checkpoint. Plain Java, no Flink and no threads: the embed operator loads, swaps and publishes; this
 * class decides. Tested synchronously in {@code ServingVersionsTest}.
 *
 * <p>The rules, one model name at a time:
 * <ul>
 * <li>Versions only go up: a PROMOTED version at or below the serving one is ignored. Versions that arrive
 *     while another loads wait; the newest is tried first. Once one serves, the older waiting ones are
 *     superseded and dropped; when it is refused, the next newest is tried. So every PROMOTED version
 *     newer than the serving one ends up serving, superseded, or refused.</li>
 * <li>A REJECTED or ROLLED_BACK record withdraws its version: it is never loaded, and a load in flight is
 *     discarded when it ends. When the serving version is withdrawn, the newest PROMOTED version below it
 *     that is not withdrawn (of the last {@value #PROMOTED_HISTORY} seen) loads next: the one time versions
 *     go back. With none known, the withdrawn one keeps serving until a newer version arrives.</li>
 * <li>The latest record of a version wins: a PROMOTED record after a REJECTED one (a manual promotion)
 *     makes the version eligible again.</li>
 * <li>A version refused here is withdrawn at once, and its REJECTED record is published once: if a later
 *     PROMOTED record makes it load again and it is refused again, no second record goes out.</li>
 * </ul>
 */
final class ServingVersions {

    private static final Logger LOG = LoggerFactory.getLogger(ServingVersions.class);

    /** PROMOTED versions remembered per name for a fall-back after a withdrawal. */
    static final int PROMOTED_HISTORY = 16;

    /** What a checkpoint keeps of one name: pointers to load again (newest that loads serves), withdrawn and refused versions. */
    record Snapshot(List<ModelPointer> pointers, List<Long> withdrawn, List<Long> refused) {}

    private final Map<String, Line> lines = new HashMap<>();

    /** One model name's versions. */
    private static final class Line {
        ModelPointer serving;
        ModelPointer loading;
        /** PROMOTED versions newer than the serving one (or a fall-back), not yet tried; the newest is tried first. */
        final TreeMap<Long, ModelPointer> pending = new TreeMap<>();
        /** The last PROMOTED pointers seen, not withdrawn: what a withdrawn serving version falls back to. */
        final TreeMap<Long, ModelPointer> promoted = new TreeMap<>();
        /** Versions whose latest record is REJECTED or ROLLED_BACK, or that were refused here. */
        final Set<Long> withdrawn = new HashSet<>();
        /** Versions this operator refused and published REJECTED for. */
        final Set<Long> refused = new HashSet<>();

        boolean servingWithdrawn() {
            return serving != null && withdrawn.contains(serving.version);
        }

        /** Whether versions at or below v are out of the running: something not withdrawn at or above it serves. */
        boolean servesAtOrAbove(long v) {
            return serving != null && !servingWithdrawn() && v <= serving.version;
        }
    }

    private Line line(String name) {
        return lines.computeIfAbsent(name, n -> new Line());
    }

    /** A record from the models topic for this name: PROMOTED offers a version, REJECTED and ROLLED_BACK withdraw one. */
    void receive(String name, ModelPointer p) {
        Line l = line(name);
        if ("REJECTED".equals(p.status) || "ROLLED_BACK".equals(p.status)) {
            withdraw(l, p);
            return;
        }
        if (!"PROMOTED".equals(p.status)) return; // a CANDIDATE never serves
        l.withdrawn.remove(p.version); // the latest record of a version wins
        l.promoted.put(p.version, p);
        while (l.promoted.size() > PROMOTED_HISTORY) l.promoted.pollFirstEntry();
        if (l.servesAtOrAbove(p.version)) return;
        if (l.loading != null && p.version == l.loading.version) return;
        l.pending.put(p.version, p);
    }

    private void withdraw(Line l, ModelPointer p) {
        if (!l.withdrawn.add(p.version)) return;
        l.promoted.remove(p.version);
        l.pending.remove(p.version);
        if (l.serving == null || l.serving.version != p.version) return;
        LOG.warn("{}, serving, was withdrawn ({})", p.label(), p.status);
        fallBack(l, p);
    }

    /** Queues the newest PROMOTED version below a withdrawn serving one, if any is known. */
    private void fallBack(Line l, ModelPointer withdrawnServing) {
        var back = l.promoted.lowerEntry(withdrawnServing.version);
        if (back == null) {
            LOG.warn("no older PROMOTED version is known: {} keeps serving until a newer one arrives", withdrawnServing.label());
            return;
        }
        LOG.warn("going back from {} to {}", withdrawnServing.label(), back.getValue().label());
        l.pending.put(back.getKey(), back.getValue());
    }

    /**
     * The version to load now, marked as loading; null while a load is in flight or nothing waits. Waiting
     * versions at or below the serving one are dropped as superseded first.
     */
    ModelPointer nextLoad(String name) {
        Line l = line(name);
        if (l.serving != null && !l.servingWithdrawn()) l.pending.headMap(l.serving.version, true).clear();
        if (l.loading != null || l.pending.isEmpty()) return null;
        l.loading = l.pending.pollLastEntry().getValue();
        return l.loading;
    }

    /** A load that succeeded: true when the version serves now; false when it was withdrawn or overtaken meanwhile (close it). */
    boolean loaded(String name, ModelPointer p) {
        Line l = line(name);
        l.loading = null;
        if (l.withdrawn.contains(p.version)) {
            LOG.info("{} loaded but was withdrawn meanwhile: discarded", p.label());
            return false;
        }
        if (l.servesAtOrAbove(p.version)) return false; // overtaken by a newer version while it loaded
        l.serving = p;
        return true;
    }

    /** A load that failed its checks: the version is withdrawn; true the first time it is refused here (publish REJECTED). */
    boolean refused(String name, ModelPointer p) {
        Line l = line(name);
        l.loading = null;
        l.promoted.remove(p.version);
        boolean newlyWithdrawn = l.withdrawn.add(p.version);
        if (l.servingWithdrawn() && l.pending.isEmpty()) fallBack(l, l.serving);
        return newlyWithdrawn && l.refused.add(p.version);
    }

    /** A version that serves without a load through {@link #nextLoad}: restored after a failure, or the initial model. */
    void served(String name, ModelPointer p) {
        line(name).serving = p;
    }

    /** The model names seen so far, in alphabetical order. */
    List<String> names() {
        return lines.keySet().stream().sorted().toList();
    }

    /** Whether a version of some name is loading or waits to load: a model that reads a waiting sequence may still come. */
    boolean loadsWaiting() {
        return lines.values().stream().anyMatch(l -> l.loading != null || !l.pending.isEmpty());
    }

    ModelPointer serving(String name) {
        return line(name).serving;
    }

    boolean isWithdrawn(String name, long version) {
        return line(name).withdrawn.contains(version);
    }

    /**
     * What a checkpoint keeps: the serving version (not the initial model, version 0), the one loading, those
     * waiting and the PROMOTED history, each version once, and the withdrawn and refused versions.
     */
    Snapshot snapshot(String name) {
        Line l = line(name);
        List<ModelPointer> pointers = new ArrayList<>();
        if (l.serving != null && l.serving.version > 0) pointers.add(l.serving);
        if (l.loading != null) pointers.add(l.loading);
        pointers.addAll(l.pending.values());
        for (ModelPointer p : l.promoted.values()) {
            if (pointers.stream().noneMatch(m -> m.version == p.version)) pointers.add(p);
        }
        return new Snapshot(pointers, new ArrayList<>(l.withdrawn), new ArrayList<>(l.refused));
    }

    /**
     * Takes a checkpoint's pointers (union state: one copy per old subtask) and returns the versions to try,
     * newest first, each once, none withdrawn: the first that loads serves ({@link #served}).
     */
    List<ModelPointer> restore(String name, Snapshot s) {
        Line l = line(name);
        l.withdrawn.addAll(s.withdrawn());
        l.refused.addAll(s.refused());
        List<ModelPointer> order = new ArrayList<>();
        List<ModelPointer> newestFirst = new ArrayList<>(s.pointers());
        newestFirst.sort(Comparator.comparingLong((ModelPointer p) -> p.version).reversed());
        for (ModelPointer p : newestFirst) {
            if (l.withdrawn.contains(p.version) || l.promoted.containsKey(p.version)) continue;
            l.promoted.put(p.version, p);
            order.add(p);
        }
        return order;
    }
}
