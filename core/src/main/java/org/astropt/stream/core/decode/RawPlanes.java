package org.astropt.stream.core.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;

/**
 * RAW_FLOAT32 cutouts: little-endian float32 planes {@code [band][y][x]}, x fastest, row 0 at the top
 * (the layout of a C-order NumPy array of display-oriented images). Width and height come with the
 * record; the band count is what the byte length implies, and must come out whole.
 */
final class RawPlanes {

    private RawPlanes() {}

    static CutoutImage decode(byte[] bytes, String input, Integer width, Integer height, DecodeLimits limits) {
        if (width == null || height == null) {
            throw new InvalidCutoutException(input, "RAW_FLOAT32 needs the width and height of its planes, and "
                    + (width == null ? "width" : "height") + " is missing");
        }
        if (width <= 0 || height <= 0 || (long) width * height > limits.maxPixels()) {
            throw new InvalidCutoutException(input, "RAW_FLOAT32 declares " + width + " x " + height
                    + " pixels, outside 1 to " + limits.maxPixels() + " per band (DecodeLimits.maxPixels)");
        }
        long planeBytes = 4L * width * height;
        if (bytes.length % planeBytes != 0 || bytes.length == 0) {
            throw new InvalidCutoutException(input, "RAW_FLOAT32 holds " + bytes.length + " bytes, not a whole number"
                    + " of " + width + " x " + height + " float32 planes (" + planeBytes + " bytes each)");
        }
        int bands = (int) (bytes.length / planeBytes);
        if (bands > limits.maxBands()) {
            throw new InvalidCutoutException(input, "RAW_FLOAT32 holds " + bands + " planes, over the limit of "
                    + limits.maxBands() + " bands (DecodeLimits.maxBands)");
        }
        FloatBuffer values = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[][][] pixels = new float[bands][height][width];
        for (int b = 0; b < bands; b++) {
            for (int y = 0; y < height; y++) values.get(pixels[b][y]);
        }
        return new CutoutImage(pixels, FitsDecoder.defaultBands(bands), Map.of("decode.format", "RAW_FLOAT32"));
    }
}
