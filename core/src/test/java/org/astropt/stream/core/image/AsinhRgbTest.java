package org.astropt.stream.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

class AsinhRgbTest {

    private static CutoutImage grz(float g, float r, float z) {
        float[][][] px = new float[3][2][2];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                px[0][y][x] = g;
                px[1][y][x] = r;
                px[2][y][x] = z;
            }
        }
        return new CutoutImage(px, List.of("g", "r", "z"), Map.of());
    }

    private static int[] rgb(BufferedImage img, int x, int y) {
        int p = img.getRGB(x, y);
        return new int[] {(p >> 16) & 255, (p >> 8) & 255, p & 255};
    }

    @Test
    void zGoesToRedAndGToBlue() {
        AsinhRgb s = AsinhRgb.legacySurvey();
        int[] zOnly = rgb(s.render(grz(0, 0, 1)), 0, 0);
        int[] gOnly = rgb(s.render(grz(1, 0, 0)), 0, 0);
        assertTrue(zOnly[0] > zOnly[1] && zOnly[0] > zOnly[2], "z light is red: " + Arrays.toString(zOnly));
        assertTrue(gOnly[2] > gOnly[0] && gOnly[2] > gOnly[1], "g light is blue: " + Arrays.toString(gOnly));
    }

    @Test
    void blankSkyIsADarkNeutralGreyAndBrighterIsBrighter() {
        AsinhRgb s = AsinhRgb.legacySurvey();
        int[] sky = rgb(s.render(grz(0, 0, 0)), 0, 0);
        assertEquals(sky[0], sky[1]);
        assertEquals(sky[1], sky[2]);
        assertTrue(sky[0] > 10 && sky[0] < 60, "sky grey level " + sky[0]);
        int previous = -1;
        for (float f : new float[] {0.01f, 0.03f, 0.1f, 0.3f}) {
            int level = rgb(s.render(grz(f, f, f)), 0, 0)[1];
            assertTrue(level > previous, "green rises with flux: " + level + " after " + previous);
            previous = level;
        }
    }

    @Test
    void nanIsNoLightInItsBandAndBlackWhenEveryBandIsMissing() {
        AsinhRgb s = AsinhRgb.legacySurvey();
        assertEquals(0, s.render(grz(Float.NaN, Float.NaN, Float.NaN)).getRGB(0, 0) & 0xFFFFFF);
        int[] noZ = rgb(s.render(grz(0.1f, 0.1f, Float.NaN)), 0, 0);
        assertEquals(0, noZ[0], "missing z leaves red empty");
        assertTrue(noZ[1] > 0 && noZ[2] > 0);
    }

    @Test
    void pngBytesDecodeToAnImageOfTheCutoutSize() throws Exception {
        float[][][] px = new float[3][20][30];
        CutoutImage img = new CutoutImage(px, List.of("g", "r", "z"), Map.of());
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(AsinhRgb.legacySurvey().png(img)));
        assertEquals(30, back.getWidth());
        assertEquals(20, back.getHeight());
    }

    @Test
    void oneBandIsGreyAndNoiseScalingCopesWithOtherUnits() {
        float[][][] px = new float[1][16][16];
        SplittableRandom rng = new SplittableRandom(3);
        for (float[] row : px[0]) for (int x = 0; x < 16; x++) row[x] = (float) (1000 + 50 * (rng.nextDouble() - 0.5));
        px[0][8][8] = 5000;
        for (float[] row : px[0]) for (int x = 0; x < 16; x++) row[x] -= 1000;
        CutoutImage img = new CutoutImage(px, List.of("ztf-r"), Map.of());
        BufferedImage out = AsinhRgb.noiseScaled(img).render(img);
        int[] star = rgb(out, 8, 8);
        assertEquals(star[0], star[1]);
        assertEquals(star[1], star[2]);
        assertEquals(255, star[0], "a 4000-unit source on 14-unit noise saturates");
    }

    @Test
    void contactSheetTilesPreviewsInAGrid() {
        BufferedImage tile = AsinhRgb.legacySurvey().render(grz(0.1f, 0.1f, 0.1f));
        BufferedImage sheet = ContactSheet.of(List.of(tile, tile, tile, tile, tile), 2, 3, 1);
        assertEquals(2 * 6 + 3, sheet.getWidth());
        assertEquals(3 * 6 + 4, sheet.getHeight());
        assertEquals(tile.getRGB(0, 0), sheet.getRGB(1, 1));
    }
}
