package org.astropt.stream.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.SpiralOrder;

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
 * @param scores        the latest embedding's scores by name (surprise, novelty, artefact, artefact_&lt;kind&gt;: those its
 *                      version's score heads give; surprise alone for a version without heads or an older record);
 *                      null values where a score is not a number (surprise of a one-token cutout)
 * @param hardestTokens sequence positions of the tokens the model predicted worst, worst first
 * @param tokenGrid     where the tokenizer's grid lies on the cutout (from its size and the server's tokenizer
 *                      settings), null when the cutout was not seen or did not decode
 */
public record ObjectView(String id, long seq, String survey, Double ra, Double dec, String modelName, long modelVersion,
        Float surprise, List<String> flags, String morphology, String artefacts, Map<String, Long> timings,
        Map<String, String> metadata, long updated, Map<String, Double> scores, List<Integer> hardestTokens,
        TokenGrid tokenGrid) {

    /**
     * The token grid on one cutout of width x height pixels: gridSize x gridSize cells of patchSize pixels over the
     * square whose top-left corner is (x0, y0) in display orientation (negative: padded).
     */
    public record TokenGrid(int gridSize, int patchSize, int x0, int y0, int width, int height) {
        static TokenGrid of(PatchTokenizer.Grid g, int width, int height) {
            return new TokenGrid(g.gridSize(), g.patchSize(), g.x0(), g.y0(), width, height);
        }
    }

    /** One of the hardest tokens as a box on the cutout: its sequence position, cell (i, j), and pixels x, y (left, top), size. */
    public record TokenCell(int position, int i, int j, int x, int y, int size) {}

    static ObjectView empty(String id) {
        return new ObjectView(id, 0, null, null, null, null, 0, null, List.of(), null, null, Map.of(), Map.of(), 0,
                Map.of(), List.of(), null);
    }

    /**
     * The hardest tokens as boxes on the cutout, worst first, through the spiral order (core SpiralOrder) and the
     * axis swap of the tokenizer: cell (i, j) covers columns x0 + p*i and rows y0 + p*j onwards. Empty when the
     * grid is unknown; positions outside it (another tokenizer made the sequence) are left out.
     */
    public List<TokenCell> hardestCells() {
        if (tokenGrid == null) return List.of();
        SpiralOrder spiral = SpiralOrder.of(tokenGrid.gridSize());
        int p = tokenGrid.patchSize();
        List<TokenCell> out = new ArrayList<>(hardestTokens.size());
        for (int position : hardestTokens) {
            if (position < 0 || position >= spiral.cellCount()) continue;
            int i = spiral.row(position), j = spiral.column(position);
            out.add(new TokenCell(position, i, j, tokenGrid.x0() + p * i, tokenGrid.y0() + p * j, p));
        }
        return out;
    }

    /** The scores of an embedding record: surprise alone when the record has none (written before score heads). */
    static Map<String, Double> scores(Map<String, Double> recorded, float surprise) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (recorded.isEmpty()) out.put("surprise", (double) surprise);
        else out.putAll(recorded);
        out.replaceAll((name, v) -> v == null || !Double.isFinite(v) ? null : v);
        return Collections.unmodifiableMap(out);
    }

    public boolean embedded() { return modelName != null; }

    /** {@code name:version}: vectors of one model key are comparable, others are not. */
    public String modelKey() { return modelName == null ? null : modelName + ":" + modelVersion; }

    ObjectView withCutout(String survey, Double ra, Double dec, String morphology, String artefacts, TokenGrid grid, long now) {
        return new ObjectView(id, seq, survey, ra, dec, modelName, modelVersion, surprise, flags,
                morphology != null ? morphology : this.morphology, artefacts != null ? artefacts : this.artefacts,
                timings, metadata, now, scores, hardestTokens, grid != null ? grid : tokenGrid);
    }

    ObjectView withEmbedding(long seq, String modelName, long modelVersion, float surprise, List<String> newFlags,
            Map<String, Long> timings, Map<String, String> metadata, String morphology, String artefacts, long now,
            Map<String, Double> scores, List<Integer> hardestTokens) {
        return new ObjectView(id, seq, survey, ra, dec, modelName, modelVersion, Float.isFinite(surprise) ? surprise : null, union(flags, newFlags),
                this.morphology != null ? this.morphology : morphology, this.artefacts != null ? this.artefacts : artefacts,
                Map.copyOf(timings), Map.copyOf(metadata), now, scores(scores, surprise), List.copyOf(hardestTokens), tokenGrid);
    }

    ObjectView withFlag(String kind, long now) {
        return new ObjectView(id, seq, survey, ra, dec, modelName, modelVersion, surprise, union(flags, List.of(kind)),
                morphology, artefacts, timings, metadata, now, scores, hardestTokens, tokenGrid);
    }

    private static List<String> union(List<String> a, List<String> b) {
        if (b.isEmpty()) return a;
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
