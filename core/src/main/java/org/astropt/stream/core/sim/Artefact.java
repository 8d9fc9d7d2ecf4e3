package org.astropt.stream.core.sim;

import java.util.List;
import java.util.Locale;

/**
 * One injected artefact: its kind, the bands it touches, a variant (HOT/DEAD, NAN/ZERO, ...) and its
 * place in display pixel coordinates (x right, y down, pixel centres at integers).
 *
 * <p>What the geometry means per kind:
 * <ul>
 *   <li>SATELLITE_TRAIL: the line through (x0, y0) and (x1, y1); level is the peak surface brightness
 *       (nanomaggies per pixel) on the line, variant the Gaussian sigma of its width in pixels.</li>
 *   <li>SATURATED_STAR: the star at (x0, y0); level is the saturation value every clipped pixel holds.</li>
 *   <li>BLEED_TRAIL: the columns x0..x1 and rows y0..y1 (inclusive) set to level.</li>
 *   <li>BAD_COLUMN: column x0 (= x1), rows y0..y1 inclusive; variant HOT or DEAD, level the value added
 *       (HOT) or set (DEAD).</li>
 *   <li>COSMIC_RAY: one hit, its pixels inside the box x0..x1, y0..y1; level its peak value.</li>
 *   <li>NAN_BLOCK: the box x0..x1, y0..y1 inclusive holds NaN (variant NAN) or 0 (variant ZERO).</li>
 *   <li>CHIP_EDGE: the edge is the line through (x0, y0) and (x1, y1); every pixel centre on the side of
 *       it away from the cutout centre holds NaN or 0 (variant).</li>
 * </ul>
 */
public record Artefact(ArtefactKind kind, List<String> bands, String variant,
                       double x0, double y0, double x1, double y1, double level) {

    public Artefact {
        bands = List.copyOf(bands);
    }

    /** The label a flagger should learn: the kind's name. */
    public String label() {
        return kind.name();
    }

    /**
     * One line without commas or semicolons (it goes into CSV cells and FITS cards), e.g.
     * {@code BAD_COLUMN[g] DEAD 12.0:0.0-12.0:63.0 L=-0.341}: kind, bands, variant, x0:y0-x1:y1, level.
     */
    public String describe() {
        return String.format(Locale.ROOT, "%s[%s] %s %.1f:%.1f-%.1f:%.1f L=%.3g",
                kind, String.join("", bands), variant, x0, y0, x1, y1, level);
    }
}
