package org.astropt.stream.core.decode;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an input holds, for {@code astropt inspect}: its FITS HDUs or alert fields, the bands it
 * decodes to with their statistics, its metadata, and the problem when it does not decode.
 *
 * @param format    what the bytes were recognised as, e.g. "FITS", "FITS (gzip)", "Avro container (alert)"
 * @param hdus      FITS HDUs from their headers, empty for other formats
 * @param bands     decoded bands, empty when decoding failed
 * @param alertFields top-level alert fields, one line each (stamps and blobs by size), empty for non-alerts
 * @param problem   the decode error's one-line problem, or null when the input decodes
 */
public record CutoutDescription(String input, long bytes, String format, List<Hdu> hdus, List<Band> bands,
                                Map<String, String> alertFields, Map<String, String> metadata, String problem) {

    public CutoutDescription {
        hdus = List.copyOf(hdus);
        bands = List.copyOf(bands);
        alertFields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(alertFields));
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }

    /** One FITS HDU; {@code shape} is NAXIS1..n (width, height, planes), the image's for a compressed HDU. */
    public record Hdu(int index, String kind, String extname, int bitpix, List<Long> shape) {}

    /** One band's statistics over its finite pixels; NaN pixels are counted, not averaged. */
    public record Band(String name, int width, int height, double min, double max, double mean, double median,
                       long nanCount) {}

    public boolean decodes() { return problem == null; }

    /** A few lines for a terminal. */
    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(input).append(": ").append(bytes).append(" bytes, ").append(format).append('\n');
        for (Hdu h : hdus) {
            s.append(String.format(Locale.ROOT, "  HDU %d %-16s BITPIX %3d  shape %s%s%n", h.index(), h.kind(),
                    h.bitpix(), h.shape(), h.extname().isEmpty() ? "" : "  EXTNAME " + h.extname()));
        }
        alertFields.forEach((k, v) -> s.append("  field ").append(k).append(" = ").append(v).append('\n'));
        for (Band b : bands) {
            s.append(String.format(Locale.ROOT, "  band %-4s %d x %d  min %.6g  max %.6g  mean %.6g  median %.6g  NaN %d%n",
                    b.name(), b.width(), b.height(), b.min(), b.max(), b.mean(), b.median(), b.nanCount()));
        }
        if (!metadata.isEmpty()) s.append("  metadata: ").append(metadata.size()).append(" entries\n");
        if (problem != null) s.append("  problem: ").append(problem).append('\n');
        return s.toString();
    }
}
