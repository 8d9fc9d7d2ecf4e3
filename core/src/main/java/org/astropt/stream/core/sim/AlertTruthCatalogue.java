package org.astropt.stream.core.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.astropt.stream.core.InvalidCutoutException;

/**
 * The truth of a synthetic alert stream as CSV ({@code truth.csv} beside the packets): a header row, then
 * one row per alert in the order of {@link #COLUMNS}. {@code kind} is the {@link AlertKind}, {@code label}
 * "real" or "bogus"; {@code file} names the packet; {@code source_id} is the ZTF candid or Rubin
 * diaSourceId the pipeline keys the alert by, {@code object_id} the objectId or diaObjectId. Numbers use a
 * '.' whatever the locale; an absent number (a bogus alert's transient_mag, a variable star's host offset)
 * is empty. The psf_* columns repeat what the packet says (measured, in the stamp unit), the rest is truth.
 */
public final class AlertTruthCatalogue {

    /** Column names, in file order; append new columns at the end so old readers keep working. */
    public static final List<String> COLUMNS = List.of(
            "file", "survey", "seed", "index", "source_id", "object_id", "kind", "label", "band",
            "ra", "dec", "time", "x", "y", "transient_mag", "host_offset_arcsec", "seeing_arcsec",
            "psf_flux", "psf_flux_err", "is_diff_pos", "details");

    private AlertTruthCatalogue() {}

    public static String header() {
        return String.join(",", COLUMNS);
    }

    /** One CSV row (no line end), in COLUMNS order. */
    public static String row(SimulatedAlert alert) {
        AlertTruth t = alert.truth();
        AlertPhotometry p = alert.photometry();
        return String.join(",", List.of(
                t.fileName(), t.survey().name(), Long.toString(t.seed()), Long.toString(t.index()),
                Long.toString(t.sourceId()), t.objectId(), t.kind().name(), t.label(), t.band(),
                f(t.ra(), 7), f(t.dec(), 7), f(t.time(), 6), f(t.x(), 3), f(t.y(), 3),
                f(t.transientMag(), 4), f(t.hostOffsetArcsec(), 3), f(t.seeingArcsec(), 3),
                f(p.flux(), 4), f(p.fluxErr(), 4), p.positive() ? "t" : "f", t.details()));
    }

    /** Reads a truth.csv back: one column-name to cell map per alert, in file order. */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header())) {
            throw new InvalidCutoutException(file.toString(), "is not an alert truth catalogue: its first line is not the expected header");
        }
        return TruthCatalogue.rows(file, lines, COLUMNS.size(), COLUMNS);
    }

    private static String f(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
