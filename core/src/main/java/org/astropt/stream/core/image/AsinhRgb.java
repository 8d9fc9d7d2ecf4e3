package org.astropt.stream.core.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

/**
 * Colour preview of a multi-band cutout with the asinh stretch of Lupton et al. (2004), as the Legacy
 * Survey viewer draws grz: z to red, r to green, g to blue. Each band is scaled, offset by a small floor
 * and clipped at zero; the three share one intensity I (their mean), and every channel is multiplied by
 * asinh(Q I) / (sqrt(Q) I), so faint light is stretched linearly, bright light logarithmically, and
 * colours keep their ratios.
 *
 * <p>Defaults are the viewer's for nanomaggy coadds (scales g 6.0, r 3.4, z 2.2, floor 0.03, Q = 20).
 * Images in other units get {@link #noiseScaled}. NaN pixels count as no light in their band; a pixel
 * with no data in any band is black. Immutable and thread-safe.
 */
public final class AsinhRgb {

    /** Softening Q: where the stretch turns from linear to logarithmic (the viewer's 20). */
    public static final double DEFAULT_SOFTENING = 20;
    /** Floor added after scaling: lifts the sky to a dark grey so noise shows (the viewer's 0.03). */
    public static final double DEFAULT_FLOOR = 0.03;
    /** Scale for bands without a preset (r's). */
    private static final double DEFAULT_SCALE = 3.4;
    /** The viewer's per-band scales for nanomaggy images. */
    private static final Map<String, Double> LEGACY_SCALES = Map.of("g", 6.0, "r", 3.4, "i", 3.0, "z", 2.2);
    /** Sky sigma (nanomaggies) of a typical DR9 r coadd: noiseScaled maps every band's sigma to r's look. */
    private static final double TYPICAL_SIGMA_R = 0.006;

    private final Map<String, Double> scales;
    private final double softening;
    private final double floor;

    /**
     * @param scales    multiplier per band name (bands not named get r's scale)
     * @param softening Q, above 0
     * @param floor     offset added after scaling, at least 0
     */
    public AsinhRgb(Map<String, Double> scales, double softening, double floor) {
        if (!(softening > 0) || !(floor >= 0)) {
            throw new IllegalArgumentException("asinh softening " + softening + " must be > 0 and floor " + floor + " >= 0");
        }
        this.scales = Map.copyOf(scales);
        this.softening = softening;
        this.floor = floor;
    }

    /** The Legacy Survey viewer's stretch for grz in nanomaggies. */
    public static AsinhRgb legacySurvey() {
        return new AsinhRgb(LEGACY_SCALES, DEFAULT_SOFTENING, DEFAULT_FLOOR);
    }

    /**
     * A stretch for an image in unknown units: each band's scale is set from its robust sky sigma (median
     * absolute deviation) so its noise looks as a DR9 r coadd's does in the viewer.
     */
    public static AsinhRgb noiseScaled(CutoutImage image) {
        Map<String, Double> s = new HashMap<>();
        for (int b = 0; b < image.bandCount(); b++) {
            double sigma = robustSigma(image.pixels()[b]);
            s.put(image.bands().get(b), sigma > 0 ? DEFAULT_SCALE * TYPICAL_SIGMA_R / sigma : DEFAULT_SCALE);
        }
        return new AsinhRgb(s, DEFAULT_SOFTENING, DEFAULT_FLOOR);
    }

    /** The preview, same size as the cutout, TYPE_INT_RGB. */
    public BufferedImage render(CutoutImage image) {
        int[] planes = channelBands(image.bands());           // band index for red, green, blue
        double[] scale = new double[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = scales.getOrDefault(image.bands().get(planes[c]).toLowerCase(Locale.ROOT), DEFAULT_SCALE);
        }
        int h = image.height(), w = image.width();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        float[][][] px = image.pixels();
        double rootQ = Math.sqrt(softening);
        double[] v = new double[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean any = false;
                double sum = 0;
                for (int c = 0; c < 3; c++) {
                    float p = px[planes[c]][y][x];
                    any |= !Float.isNaN(p);
                    v[c] = Float.isNaN(p) ? 0 : Math.max(0, p * scale[c] + floor);
                    sum += v[c];
                }
                int rgb = 0;
                if (any && sum > 0) {
                    double intensity = sum / 3;
                    double f = asinh(softening * intensity) / (rootQ * intensity);
                    for (int c = 0; c < 3; c++) {
                        int level = (int) Math.round(255 * Math.min(1, v[c] * f));
                        rgb = (rgb << 8) | level;
                    }
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    /** The preview as PNG bytes. */
    public byte[] png(CutoutImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(render(image), "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes the preview as a PNG file. */
    public void writePng(CutoutImage image, Path file) throws IOException {
        Files.write(file, png(image));
    }

    /**
     * Which band feeds red, green and blue. Named g, r, z (or i) bands go z to red, r to green, g to blue;
     * other triples are taken as bluest first (the last to red). Two bands: the second to red, the first
     * to green and blue. One band: grey.
     */
    static int[] channelBands(List<String> bands) {
        int n = bands.size();
        if (n == 1) return new int[] {0, 0, 0};
        if (n == 2) return new int[] {1, 0, 0};
        int red = indexOf(bands, "z", indexOf(bands, "i", n - 1));
        int green = indexOf(bands, "r", 1);
        int blue = indexOf(bands, "g", 0);
        return new int[] {red, green, blue};
    }

    private static int indexOf(List<String> bands, String name, int otherwise) {
        for (int i = 0; i < bands.size(); i++) {
            if (bands.get(i).equalsIgnoreCase(name)) return i;
        }
        return otherwise;
    }

    private static double asinh(double x) {
        return Math.log(x + Math.sqrt(x * x + 1));
    }

    /** 1.4826 times the median absolute deviation of the finite pixels; 0 when there are none. */
    static double robustSigma(float[][] plane) {
        double[] values = Arrays.stream(plane)
                .flatMapToDouble(row -> {
                    double[] d = new double[row.length];
                    for (int i = 0; i < row.length; i++) d[i] = row[i];
                    return Arrays.stream(d);
                })
                .filter(Double::isFinite).sorted().toArray();
        if (values.length == 0) return 0;
        double median = values[values.length / 2];
        double[] dev = Arrays.stream(values).map(d -> Math.abs(d - median)).sorted().toArray();
        return 1.4826 * dev[dev.length / 2];
    }
}
