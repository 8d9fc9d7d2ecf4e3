package org.astropt.stream.core.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;
import org.junit.jupiter.api.Test;

class PatchTokenizerTest {

    private final PatchTokenizer tokenizer = new PatchTokenizer();

    @Test
    void knownPatchLandsAtItsSpiralPositionChannelFastest() {
        // A 64x64 grz image, black except the patch at display rows [48, 64), columns [16, 32): after the
        // axis swap that is cell (i = 1, j = 3), position 11 in DESIGN.md's n = 4 table. Its raw values are
        // their own index in the token, ((px * 16) + py) * 3 + c, so the token must come out as
        // 0..767 normalised: (k - 383.5) / std(0..767, unbiased) = (k - 383.5) / sqrt(768 * 769 / 12).
        float[][][] pixels = new float[3][64][64];
        for (int c = 0; c < 3; c++) {
            for (int py = 0; py < 16; py++) {
                for (int px = 0; px < 16; px++) {
                    pixels[c][48 + py][16 + px] = ((px * 16) + py) * 3 + c;
                }
            }
        }
        Tokens tokens = tokenizer.tokenize(image(pixels));
        assertEquals(16, tokens.tokenCount());
        assertEquals(768, tokens.tokenDim());
        double std = Math.sqrt(768.0 * 769.0 / 12.0);
        for (int position = 0; position < 16; position++) {
            float[] token = tokens.token(position);
            for (int k = 0; k < 768; k++) {
                double expected = position == 11 ? (k - 383.5) / std : 0.0; // a flat patch normalises to 0
                assertEquals(expected, token[k], 1e-6, "position " + position + " value " + k);
            }
        }
    }

    @Test
    void untokenizeGivesThePerPatchNormalisedImage() {
        float[][][] pixels = randomImage(3, 96, 96, 1);
        Tokens tokens = tokenizer.tokenize(image(pixels));
        assertEquals(36, tokens.tokenCount());
        assertImageEquals(normalisedPerPatch(pixels, 16), PatchTokenizer.untokenize(tokens), 1e-5);
    }

    @Test
    void blanksBecomeZeroAndAreCounted() {
        float[][][] pixels = randomImage(2, 32, 32, 2);
        float[][][] zeroed = copy(pixels);
        int[][] blanks = {{0, 0, 0}, {1, 5, 7}, {1, 31, 31}, {0, 17, 3}};
        for (int[] b : blanks) {
            pixels[b[0]][b[1]][b[2]] = b[0] == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
            zeroed[b[0]][b[1]][b[2]] = 0f;
        }
        Tokens tokens = tokenizer.tokenize(image(pixels));
        assertEquals(4.0 / (2 * 32 * 32), tokens.nanFraction(), 1e-12);
        assertArrayEquals(tokenizer.tokenize(image(zeroed)).data(), tokens.data());
        assertTrue(Float.isNaN(pixels[0][0][0]), "the cutout itself is left as it was");
    }

    @Test
    void mostlyBlankCutoutIsRejectedNamingFractionAndLimit() {
        float[][][] pixels = randomImage(1, 32, 32, 3);
        for (int y = 0; y < 20; y++) java.util.Arrays.fill(pixels[0][y], Float.NaN); // 640 of 1024
        Map<String, String> meta = Map.of("id", "ZTF24aaabcde");
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                () -> tokenizer.tokenize(new CutoutImage(pixels, List.of("r"), meta)));
        assertEquals("ZTF24aaabcde", e.input());
        assertTrue(e.getMessage().contains("62.50%"), e.getMessage());
        assertTrue(e.getMessage().contains("50.00%"), e.getMessage());

        Tokens allowed = new PatchTokenizer(TokenizerSettings.defaults().withMaxNanFraction(0.7)).tokenize(image(pixels));
        assertEquals(0.625, allowed.nanFraction(), 1e-12);
    }

    @Test
    void nonSquareCutoutIsCentreCroppedToWholePatches() {
        float[][][] pixels = randomImage(3, 40, 70, 4); // 40 rows, 70 columns -> 32x32, rows 4.., columns 19..
        Tokens tokens = tokenizer.tokenize(image(pixels));
        assertEquals(2, tokens.gridSize());
        assertEquals(32, tokens.cropSize());
        assertEquals(Tokens.Padding.NONE, tokens.padding());
        assertArrayEquals(tokenizer.tokenize(image(window(pixels, 4, 19, 32))).data(), tokens.data());
    }

    @Test
    void squareNotAMultipleOfThePatchLosesItsOddPixelToTheBottomRight() {
        float[][][] pixels = randomImage(1, 51, 51, 5); // -> 48x48 from row 1, column 1
        Tokens tokens = tokenizer.tokenize(image(pixels));
        assertEquals(48, tokens.cropSize());
        assertArrayEquals(tokenizer.tokenize(image(window(pixels, 1, 1, 48))).data(), tokens.data());
    }

    @Test
    void fixedSizeLargerThanCutoutIsZeroPaddedAndRecorded() {
        float[][][] pixels = randomImage(3, 41, 50, 6); // to 64: 23 rows (11 top, 12 bottom), 14 columns (7, 7)
        PatchTokenizer fixed = new PatchTokenizer(TokenizerSettings.defaults().withSize(64));
        Tokens tokens = fixed.tokenize(image(pixels));
        assertEquals(4, tokens.gridSize());
        assertEquals(new Tokens.Padding(11, 12, 7, 7), tokens.padding());
        assertArrayEquals(fixed.tokenize(image(window(pixels, -11, -7, 64))).data(), tokens.data());
        assertImageEquals(normalisedPerPatch(window(pixels, -11, -7, 64), 16), PatchTokenizer.untokenize(tokens), 1e-5);

        pixels[0][0][0] = Float.NaN; // the fraction counts the cutout's own pixels, not the padding
        assertEquals(1.0 / (3 * 41 * 50), fixed.tokenize(image(pixels)).nanFraction(), 1e-12);
    }

    @Test
    void fixedSizeMayPadOneAxisAndCropTheOther() {
        float[][][] pixels = randomImage(2, 40, 70, 7); // to 48: rows padded 4 + 4, columns cropped from 11
        PatchTokenizer fixed = new PatchTokenizer(TokenizerSettings.defaults().withSize(48));
        Tokens tokens = fixed.tokenize(image(pixels));
        assertEquals(new Tokens.Padding(4, 4, 0, 0), tokens.padding());
        assertArrayEquals(fixed.tokenize(image(window(pixels, -4, 11, 48))).data(), tokens.data());
    }

    @Test
    void fixedSizeSmallerThanCutoutCropsTheCentre() {
        float[][][] pixels = randomImage(3, 64, 64, 8);
        Tokens tokens = new PatchTokenizer(TokenizerSettings.defaults().withSize(32)).tokenize(image(pixels));
        assertEquals(4, tokens.tokenCount());
        assertArrayEquals(tokenizer.tokenize(image(window(pixels, 16, 16, 32))).data(), tokens.data());
    }

    @Test
    void cutoutSmallerThanOnePatchIsRejected() {
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                () -> tokenizer.tokenize("tiny.fits", image(randomImage(3, 15, 100, 9))));
        assertEquals("tiny.fits", e.input());
        assertEquals("tiny.fits: the cutout is 100x15 pixels, smaller than one 16x16 patch; send at least 16 pixels"
                + " on each side", e.getMessage());
        // A fixed size does not rescue it: there would be less than a patch of sky in it.
        PatchTokenizer fixed = new PatchTokenizer(TokenizerSettings.defaults().withSize(64));
        assertThrows(InvalidCutoutException.class, () -> fixed.tokenize(image(randomImage(1, 10, 10, 10))));
    }

    @Test
    void cropTooLargeForOneArrayIsRejectedBeforeAllocating() {
        PatchTokenizer huge = new PatchTokenizer(TokenizerSettings.defaults().withSize(16 * 3000));
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                () -> huge.tokenize(image(randomImage(3, 16, 16, 12))));
        assertTrue(e.problem().contains("48000x48000x3"), e.getMessage());
    }

    @Test
    void settingsRejectNonsense() {
        TokenizerSettings d = TokenizerSettings.defaults();
        assertEquals(16, d.patchSize());
        assertEquals(TokenizerSettings.ASTROPT_V1, d.version());
        assertThrows(IllegalArgumentException.class, () -> d.withSize(40));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxNanFraction(1.5));
        assertThrows(IllegalArgumentException.class, () -> new TokenizerSettings(16, null, 0.5, "astropt-v2"));
    }

    @Test
    void tokensCarryBandsAndSettings() {
        Tokens tokens = tokenizer.tokenize(image(randomImage(3, 16, 16, 11)));
        assertEquals(List.of("g", "r", "z"), tokens.bands());
        assertEquals(TokenizerSettings.defaults(), tokens.settings());
        assertEquals(1, tokens.tokenCount());
    }

    // --- independent helpers: display-orientation arithmetic only, no token layout ---

    private static CutoutImage image(float[][][] pixels) {
        List<String> names = List.of("g", "r", "z", "i", "y").subList(0, pixels.length);
        return new CutoutImage(pixels, names, Map.of());
    }

    private static float[][][] randomImage(int bands, int height, int width, long seed) {
        Random random = new Random(seed);
        float[][][] pixels = new float[bands][height][width];
        for (float[][] band : pixels) {
            for (float[] row : band) {
                for (int x = 0; x < width; x++) row[x] = (float) (random.nextGaussian() * 40 + 100);
            }
        }
        return pixels;
    }

    private static float[][][] copy(float[][][] pixels) {
        float[][][] out = new float[pixels.length][][];
        for (int c = 0; c < pixels.length; c++) {
            out[c] = new float[pixels[c].length][];
            for (int y = 0; y < pixels[c].length; y++) out[c][y] = pixels[c][y].clone();
        }
        return out;
    }

    /** The side x side square whose top-left is (top, left) in the image; outside the image is 0. */
    private static float[][][] window(float[][][] pixels, int top, int left, int side) {
        float[][][] out = new float[pixels.length][side][side];
        for (int c = 0; c < pixels.length; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int r = top + y, col = left + x;
                    if (r >= 0 && r < pixels[c].length && col >= 0 && col < pixels[c][0].length) {
                        out[c][y][x] = pixels[c][r][col];
                    }
                }
            }
        }
        return out;
    }

    /** Each p x p block (all bands together) mapped to (v - mean) / (unbiased std + 1e-8). */
    private static float[][][] normalisedPerPatch(float[][][] pixels, int p) {
        int bands = pixels.length, side = pixels[0].length;
        float[][][] out = new float[bands][side][side];
        for (int by = 0; by < side; by += p) {
            for (int bx = 0; bx < side; bx += p) {
                double sum = 0, sumSq = 0;
                int count = bands * p * p;
                for (int c = 0; c < bands; c++) {
                    for (int y = by; y < by + p; y++) {
                        for (int x = bx; x < bx + p; x++) sum += pixels[c][y][x];
                    }
                }
                double mean = sum / count;
                for (int c = 0; c < bands; c++) {
                    for (int y = by; y < by + p; y++) {
                        for (int x = bx; x < bx + p; x++) sumSq += (pixels[c][y][x] - mean) * (pixels[c][y][x] - mean);
                    }
                }
                double std = Math.sqrt(sumSq / (count - 1));
                for (int c = 0; c < bands; c++) {
                    for (int y = by; y < by + p; y++) {
                        for (int x = bx; x < bx + p; x++) out[c][y][x] = (float) ((pixels[c][y][x] - mean) / (std + 1e-8));
                    }
                }
            }
        }
        return out;
    }

    private static void assertImageEquals(float[][][] expected, float[][][] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        for (int c = 0; c < expected.length; c++) {
            assertEquals(expected[c].length, actual[c].length);
            for (int y = 0; y < expected[c].length; y++) {
                for (int x = 0; x < expected[c][y].length; x++) {
                    assertEquals(expected[c][y][x], actual[c][y][x], tolerance, "band " + c + " row " + y + " column " + x);
                }
            }
        }
    }
}
