package org.astropt.stream.core.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.astropt.stream.core.InvalidCutoutException;

/**
 * The truth of a synthetic survey as CSV: a header row, then one row per galaxy, columns in the fixed
 * order of {@link #COLUMNS}. Lists (artefact labels and details) are joined with ';' so no cell needs
 * quoting; numbers use a '.' decimal point whatever the locale. {@code novel} is the {@link NovelKind} of a
 * novel object and empty for an ordinary galaxy; {@code novel_details} says what was drawn.
 */
public final class TruthCatalogue {

    /** Column names, in file order; append new columns at the end so old readers keep working. */
    public static final List<String> COLUMNS = List.of(
            "id", "seed", "index", "morphology",
            "sersic_n", "bulge_re_arcsec", "disc_h_arcsec", "bulge_to_total",
            "mag_g", "mag_r", "mag_z", "colour_gr", "colour_rz", "redshift",
            "axis_ratio", "inclination_deg", "position_angle_deg", "bulge_axis_ratio",
            "spiral_arms", "arm_count", "arm_pitch_deg", "arm_fraction",
            "centre_x", "centre_y",
            "psf_fwhm_g", "psf_fwhm_r", "psf_fwhm_z", "sky_noise_g", "sky_noise_r", "sky_noise_z",
            "neighbour_stars", "field_galaxies", "artefacts", "artefact_details",
            "novel", "novel_details");

    /** Columns every truth.csv has had, up to artefact_details. */
    private static final int FIRST_COLUMNS = COLUMNS.indexOf("artefact_details") + 1;

    private TruthCatalogue() {}

    public static String header() {
        return String.join(",", COLUMNS);
    }

    /** One CSV row (no line end) for this truth, in COLUMNS order. */
    public static String row(GalaxyTruth t) {
        List<String> cells = List.of(
                t.id(), Long.toString(t.surveySeed()), Long.toString(t.index()), t.morphology().name(),
                f(t.sersicIndex(), 4), f(t.bulgeHalfLightArcsec(), 4), f(t.discScaleLengthArcsec(), 4), f(t.bulgeToTotal(), 4),
                f(t.magnitude().g(), 4), f(t.magnitude().r(), 4), f(t.magnitude().z(), 4),
                f(t.colourGR(), 4), f(t.colourRZ(), 4), f(t.redshift(), 4),
                f(t.axisRatio(), 4), f(t.inclinationDeg(), 2), f(t.positionAngleDeg(), 2), f(t.bulgeAxisRatio(), 4),
                Boolean.toString(t.spiralArms()), Integer.toString(t.armCount()), f(t.armPitchDeg(), 2), f(t.armFraction(), 4),
                f(t.centreX(), 3), f(t.centreY(), 3),
                f(t.psfFwhmArcsec().g(), 4), f(t.psfFwhmArcsec().r(), 4), f(t.psfFwhmArcsec().z(), 4),
                f(t.skyNoise().g(), 6), f(t.skyNoise().r(), 6), f(t.skyNoise().z(), 6),
                Integer.toString(t.neighbourStars()), Integer.toString(t.backgroundGalaxies()),
                String.join(";", t.artefactLabels()),
                String.join(";", t.artefacts().stream().map(Artefact::describe).toList()),
                t.novelLabel(), t.novelDetails());
        return String.join(",", cells);
    }

    /**
     * The same cells as {@link #row}, by column name: what the local stack's feed puts into a cutout's
     * metadata (as {@code truth.<column>}) so the trainer's probe and the dashboard see the truth.
     */
    public static Map<String, String> cells(GalaxyTruth t) {
        String[] cells = row(t).split(",", -1);
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < COLUMNS.size(); i++) m.put(COLUMNS.get(i), cells[i]);
        return m;
    }

    /**
     * Reads a truth.csv back as one column-name to cell map per galaxy, in file order. A catalogue written
     * before the later columns existed (its header a shorter start of COLUMNS, at least up to
     * artefact_details) reads with those cells empty: {@code novel} empty is an ordinary galaxy.
     */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> header = lines.isEmpty() ? List.of() : List.of(lines.get(0).split(",", -1));
        if (header.size() < FIRST_COLUMNS || header.size() > COLUMNS.size() || !header.equals(COLUMNS.subList(0, header.size()))) {
            throw new InvalidCutoutException(file.toString(), "is not a truth catalogue: its first line is not the expected header");
        }
        return rows(file, lines, header.size(), COLUMNS);
    }

    /**
     * The rows after a checked header line: each of exactly width cells (an InvalidCutoutException naming the file and
     * line otherwise), as a column-name to cell map over columns, "" for the columns a narrower (older) file lacks;
     * blank lines skipped. Shared with {@link AlertTruthCatalogue#read}.
     */
    static List<Map<String, String>> rows(Path file, List<String> lines, int width, List<String> columns) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) continue;
            String[] cells = lines.get(i).split(",", -1);
            if (cells.length != width) {
                throw new InvalidCutoutException(file + ":" + (i + 1), "has " + cells.length + " cells, expected " + width);
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < columns.size(); c++) row.put(columns.get(c), c < cells.length ? cells[c] : "");
            rows.add(row);
        }
        return rows;
    }

    private static String f(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
