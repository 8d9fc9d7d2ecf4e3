package org.astropt.stream.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import nom.tam.fits.BasicHDU;
import nom.tam.fits.Fits;

import org.astropt.stream.core.SharedFixtures;
import org.junit.jupiter.api.Test;

/** The preview renderer on real DECaLS DR9 CCD crops (g, r, z) holding one saturated star. */
class RealDecalsPreviewTest {

    private static Path realData() {
        return SharedFixtures.realData("decals_dr9_S4_g.fits").getParent();
    }

    /** One band as display-orientation pixels (FITS rows flipped), 100 x 100, median subtracted. */
    private static float[][] band(Path dir, String b) throws Exception {
        try (Fits fits = new Fits(dir.resolve("decals_dr9_S4_" + b + ".fits").toFile())) {
            float[][] data = null;
            for (BasicHDU<?> hdu : fits.read()) {
                if (hdu.getKernel() instanceof float[][] k) data = k;
            }
            assertNotNull(data, b + " band holds a float image");
            float[][] out = new float[100][100];
            float[] all = new float[100 * 100];
            for (int y = 0; y < 100; y++) {
                for (int x = 0; x < 100; x++) all[y * 100 + x] = data[y][x];
            }
            Arrays.sort(all);
            float median = all[all.length / 2];
            for (int y = 0; y < 100; y++) {
                for (int x = 0; x < 100; x++) out[99 - y][x] = data[y][x] - median;
            }
            return out;
        }
    }

    @Test
    void saturatedStarIsWhiteAndTheSkyStaysDark() throws Exception {
        Path dir = realData();
        float[][][] px = {band(dir, "g"), band(dir, "r"), band(dir, "z")};
        CutoutImage image = new CutoutImage(px, List.of("g", "r", "z"), Map.of());
        BufferedImage rgb = AsinhRgb.noiseScaled(image).render(image);
        assertEquals(100, rgb.getWidth());
        int brightest = 0, bx = 0, by = 0;
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 100; x++) {
                if (px[1][y][x] > brightest) {
                    brightest = (int) px[1][y][x];
                    bx = x;
                    by = y;
                }
            }
        }
        int core = rgb.getRGB(bx, by);
        for (int shift : new int[] {16, 8, 0}) {
            // Near white: the bands saturated in different exposures, so their bleeds do not line up exactly.
            assertTrue(((core >> shift) & 255) >= 200, "the saturated core is near white: " + Integer.toHexString(core));
        }
        // Sky: the darkest tenth of the preview sits well below mid grey.
        int[] green = new int[100 * 100];
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 100; x++) green[y * 100 + x] = (rgb.getRGB(x, y) >> 8) & 255;
        }
        Arrays.sort(green);
        assertTrue(green[1000] < 80, "sky level " + green[1000]);
    }
}
