package org.astropt.stream.trainer.evaluation;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.astropt.stream.core.sim.GalaxyTruth;
import org.astropt.stream.core.sim.TruthCatalogue;

/**
 * The truth an evaluation scores a model against, for one cutout: its morphology, the five quantities the
 * ridge probes read ({@link #QUANTITIES}), the artefact kinds it carries and whether it is one of the
 * novel objects no model trains on (a merger, ring or lens, {@code NovelKind}). Read from the synthetic
 * survey's truth wherever it travels: a {@link GalaxyTruth}, a truth.csv row, or a token record's metadata
 * ({@code truth.<column>} as the demo feed sends it, else the FITS cards MORPH, MAG_R, TRUTH_RE, ..., NOVEL).
 *
 * @param morphology  ELLIPTICAL, LENTICULAR or SPIRAL
 * @param quantities  value per name of {@link #QUANTITIES}, NaN where unknown
 * @param artefacts   artefact kinds present (ArtefactKind names), empty for a clean cutout
 * @param novel       the NovelKind name (MERGER, RING, LENSED_ARC), "" for an ordinary galaxy; a novel
 *                    object's morphology and quantities describe only its main galaxy
 */
public record GalaxyLabels(String morphology, Map<String, Double> quantities, Set<String> artefacts, String novel) {

    /** r magnitude, g - r colour, half-light radius (arcsec), bulge Sersic index, axis ratio. */
    public static final java.util.List<String> QUANTITIES =
            java.util.List.of("mag_r", "colour_gr", "half_light_radius", "sersic_n", "axis_ratio");

    /** Sersic b_n for n = 1: an exponential disc's half-light radius is 1.678 scale lengths. */
    private static final double DISC_HALF_LIGHT_PER_SCALE_LENGTH = 1.6783469900166605;

    /** FITS card per truth.csv column, as SurveyWriter writes the header. */
    private static final Map<String, String> CARDS = Map.of(
            "morphology", "MORPH", "mag_r", "MAG_R", "mag_g", "MAG_G", "sersic_n", "TRUTH_N",
            "bulge_re_arcsec", "TRUTH_RE", "disc_h_arcsec", "TRUTH_H", "bulge_to_total", "TRUTH_BT",
            "axis_ratio", "AXRATIO", "artefacts", "ARTEFACT", "novel", "NOVEL");

    public GalaxyLabels {
        quantities = Map.copyOf(quantities);
        artefacts = Set.copyOf(artefacts);
        novel = novel == null ? "" : novel.trim().toUpperCase(Locale.ROOT);
    }

    /** An ordinary galaxy's labels. */
    public GalaxyLabels(String morphology, Map<String, Double> quantities, Set<String> artefacts) {
        this(morphology, quantities, artefacts, "");
    }

    /** Whether it is a novel object (merger, ring, lens) rather than an ordinary galaxy. */
    public boolean isNovel() {
        return !novel.isEmpty();
    }

    public static GalaxyLabels of(GalaxyTruth truth) {
        return fromCells(TruthCatalogue.cells(truth)).orElseThrow();
    }

    /** From truth.csv cells by column name; empty without a morphology or an artefacts column. */
    public static Optional<GalaxyLabels> fromCells(Map<String, String> cells) {
        return read(column -> cells.get(column));
    }

    /**
     * From a token record's or cutout's metadata: {@code truth.<column>} first, else the synthetic survey's
     * FITS cards; empty when it carries no truth (a real cutout).
     */
    public static Optional<GalaxyLabels> fromMetadata(Map<String, String> metadata) {
        return read(column -> {
            String v = metadata.get("truth." + column);
            if (v == null && CARDS.containsKey(column)) v = metadata.get(CARDS.get(column));
            return v;
        });
    }

    private static Optional<GalaxyLabels> read(java.util.function.Function<String, String> column) {
        String morphology = column.apply("morphology");
        String artefacts = column.apply("artefacts");
        if (morphology == null || morphology.isBlank() || artefacts == null) return Optional.empty();
        Map<String, Double> q = new LinkedHashMap<>();
        double magR = number(column.apply("mag_r"));
        q.put("mag_r", magR);
        q.put("colour_gr", number(column.apply("mag_g")) - magR);
        q.put("half_light_radius", halfLightRadius(number(column.apply("bulge_re_arcsec")),
                number(column.apply("disc_h_arcsec")), number(column.apply("bulge_to_total"))));
        q.put("sersic_n", number(column.apply("sersic_n")));
        q.put("axis_ratio", number(column.apply("axis_ratio")));
        Set<String> kinds = new TreeSet<>();
        for (String k : artefacts.split("[;,]")) if (!k.isBlank()) kinds.add(k.trim().toUpperCase(Locale.ROOT));
        return Optional.of(new GalaxyLabels(morphology.trim().toUpperCase(Locale.ROOT), q, kinds, column.apply("novel")));
    }

    /**
     * One size per galaxy: the light-weighted mean of the bulge's half-light radius and the disc's
     * (1.678 scale lengths), weights B/T and 1 - B/T in r. Arcseconds along the major axis.
     */
    static double halfLightRadius(double bulgeRe, double discH, double bulgeToTotal) {
        return bulgeToTotal * bulgeRe + (1 - bulgeToTotal) * DISC_HALF_LIGHT_PER_SCALE_LENGTH * discH;
    }

    private static double number(String v) {
        if (v == null) return Double.NaN;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
