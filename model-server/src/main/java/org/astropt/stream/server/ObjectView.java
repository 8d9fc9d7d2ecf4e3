package org.astropt.stream.server;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the server knows of one object: the latest embedding's scores and model, every flag kind raised
 * for it, where it came from and, for the synthetic survey, its truth. Immutable; the JSON body of
 * GET /objects/{id} (with the vector added) and of each feed entry.
 *
 * @param id            object id
 * @param seq           arrival number of the latest embedding (0 while only the cutout is known): the feed's order
 * @param survey        survey of the cutout, when the cutout was seen
 * @param ra            right ascension (deg) of the cutout, when known
 * @param dec           declination (deg) of the cutout, when known
 * @param modelName     model of the latest embedding, null before one arrived
 * @param modelVersion  its version, 0 before one arrived
 * @param surprise      its surprise score (mean Huber error of next-patch predictions); null before one arrived or for a one-token cutout
 * @param flags         flag kinds raised for this object (ANOMALY, ARTEFACT, ...)
 * @param morphology    truth label of the synthetic survey (ELLIPTICAL, LENTICULAR, SPIRAL), null otherwise
 * @param artefacts     injected artefact labels of the synthetic survey ("" = none), null when no truth is known
 * @param timings       pipeline timings of the latest embedding (decode/tokenize/embed micros, source and produced times in ms)
 * @param metadata      the embedding's metadata (the cutout record's free metadata)
 * @param updated       when the server last changed this entry (ms)
 */
public record ObjectView(String id, long seq, String survey, Double ra, Double dec, String modelName, long modelVersion,
        Float surprise, List<String> flags, String morphology, String artefacts, Map<String, Long> timings,
        Map<String, String> metadata, long updated) {

    static ObjectView empty(String id) {
        return new ObjectView(id, 0, null, null, null, null, 0, null, List.of(), null, null, Map.of(), Map.of(), 0);
    }

    public boolean embedded() { return modelName != null; }

    /** {@code name:version}: vectors of one model key are comparable, others are not. */
    public String modelKey() { return modelName == null ? null : modelName + ":" + modelVersion; }

    ObjectView withCutout(String survey, Double ra, Double dec, String morphology, String artefacts, long now) {
        return new ObjectView(id, seq, survey, ra, dec, modelName, modelVersion, surprise, flags,
                morphology != null ? morphology : this.morphology, artefacts != null ? artefacts : this.artefacts,
                timings, metadata, now);
    }

    ObjectView withEmbedding(long seq, String modelName, long modelVersion, float surprise, List<String> newFlags,
            Map<String, Long> timings, Map<String, String> metadata, String morphology, String artefacts, long now) {
        return new ObjectView(id, seq, survey, ra, dec, modelName, modelVersion, Float.isFinite(surprise) ? surprise : null, union(flags, newFlags),
                this.morphology != null ? this.morphology : morphology, this.artefacts != null ? this.artefacts : artefacts,
                Map.copyOf(timings), Map.copyOf(metadata), now);
    }

    ObjectView withFlag(String kind, long now) {
        return new ObjectView(id, seq, survey, ra, dec, modelName, modelVersion, surprise, union(flags, List.of(kind)),
                morphology, artefacts, timings, metadata, now);
    }

    private static List<String> union(List<String> a, List<String> b) {
        if (b.isEmpty()) return a;
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
