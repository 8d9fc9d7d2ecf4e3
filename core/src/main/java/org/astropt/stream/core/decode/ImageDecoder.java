package org.astropt.stream.core.decode;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;

/**
 * PNG and JPEG cutouts through javax.imageio, row 0 at the top as stored.
 *
 * <p>Channels keep the file's order, c = 0, 1, 2 = R, G, B, which is what AstroPT v1's loader fed the
 * model. Bands are named by the Legacy Surveys grz colour convention (legacypipe's get_rgb puts z in
 * red, r in green, g in blue), so an RGB image's bands are {@code z, r, g}; a grey image is one band
 * {@code b0}. Alpha is dropped; palette images are expanded to RGB.
 *
 * <p>Values are the raw samples as floats (0..255 for 8-bit, 0..65535 for 16-bit PNG), not divided by
 * 255: the tokenizer normalises each patch by its own mean and std, so the scale never reaches a token.
 */
final class ImageDecoder {

    /** Legacy Surveys grz composite: red = z, green = r, blue = g. */
    static final List<String> RGB_BANDS = List.of("z", "r", "g");

    private final DecodeLimits limits;

    ImageDecoder(DecodeLimits limits) { this.limits = limits; }

    /** {@code kind} is "PNG" or "JPEG", used in messages and metadata. */
    CutoutImage decode(byte[] bytes, String input, String kind) {
        // A memory-cached stream: ImageIO.createImageInputStream may spill to temporary files.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidCutoutException(input, "not a readable " + kind + " image (no image reader recognises it)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long w = reader.getWidth(0), h = reader.getHeight(0); // from the header, before any pixel
                if (w <= 0 || h <= 0 || w * h > limits.maxPixels()) {
                    throw new InvalidCutoutException(input, kind + " image declares " + w + " x " + h
                            + " pixels, outside 1 to " + limits.maxPixels() + " per band (DecodeLimits.maxPixels)");
                }
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new InvalidCutoutException(input, kind + " data is damaged ("
                            + OneLine.text(warnings.get(0)) + ")");
                }
                return toCutout(image, input, kind);
            } finally {
                reader.dispose();
            }
        } catch (InvalidCutoutException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidCutoutException(input, kind + " image cannot be read (" + OneLine.of(e) + ")");
        }
    }

    private static CutoutImage toCutout(BufferedImage image, String input, String kind) {
        int w = image.getWidth(), h = image.getHeight();
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        float[][][] pixels;
        List<String> bands;
        if (cm instanceof IndexColorModel palette) {
            boolean grey = isGrey(palette);
            pixels = new float[grey ? 1 : 3][h][w];
            int[] index = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, index);
                for (int x = 0; x < w; x++) {
                    pixels[0][y][x] = palette.getRed(index[x]);
                    if (!grey) {
                        pixels[1][y][x] = palette.getGreen(index[x]);
                        pixels[2][y][x] = palette.getBlue(index[x]);
                    }
                }
            }
            bands = grey ? List.of("b0") : RGB_BANDS;
        } else {
            int colours = cm.getNumColorComponents();
            int space = cm.getColorSpace().getType();
            if (space == ColorSpace.TYPE_RGB && colours == 3) {
                bands = RGB_BANDS;
            } else if (space == ColorSpace.TYPE_GRAY && colours == 1) {
                bands = List.of("b0");
            } else {
                throw new InvalidCutoutException(input, kind + " image has " + colours + " colour channels in colour"
                        + " space type " + space + "; only grey and RGB images are cutouts");
            }
            // Raster bands follow the colour model's component order (R, G, B), then alpha, which is skipped.
            pixels = new float[colours][h][w];
            for (int c = 0; c < colours; c++) {
                for (int y = 0; y < h; y++) raster.getSamples(0, y, w, 1, c, pixels[c][y]);
            }
        }
        return new CutoutImage(pixels, bands, Map.of("decode.format", kind));
    }

    private static boolean isGrey(IndexColorModel palette) {
        for (int i = 0; i < palette.getMapSize(); i++) {
            if (palette.getRed(i) != palette.getGreen(i) || palette.getRed(i) != palette.getBlue(i)) return false;
        }
        return true;
    }
}
