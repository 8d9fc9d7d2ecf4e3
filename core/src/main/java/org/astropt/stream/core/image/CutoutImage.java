package org.astropt.stream.core.image;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded cutout: pixels as {@code [band][y][x]} in display orientation (row 0 at the TOP, as in a
 * PNG), the band names in the same order, and free metadata (header cards, alert fields, provenance).
 *
 * <p>Every decoder produces one of these and every consumer (tokenizer, simulator previews, the
 * server's thumbnails) reads one, so orientation is settled once, here: FITS data, stored bottom row
 * first, is flipped on the way in.
 */
public record CutoutImage(float[][][] pixels, List<String> bands, Map<String, String> metadata) {

    public CutoutImage {
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length == 0 || pixels[0].length == 0 || pixels[0][0].length == 0) {
            throw new IllegalArgumentException("a cutout needs at least one band and one pixel");
        }
        int h = pixels[0].length, w = pixels[0][0].length;
        for (float[][] band : pixels) {
            if (band.length != h) throw new IllegalArgumentException("bands differ in height");
            for (float[] row : band) {
                if (row.length != w) throw new IllegalArgumentException("rows differ in width");
            }
        }
        if (bands.size() != pixels.length) {
            throw new IllegalArgumentException(bands.size() + " band names for " + pixels.length + " bands");
        }
        bands = List.copyOf(bands);
        metadata = Map.copyOf(metadata);
    }

    public int bandCount() { return pixels.length; }

    public int height() { return pixels[0].length; }

    public int width() { return pixels[0][0].length; }
}
