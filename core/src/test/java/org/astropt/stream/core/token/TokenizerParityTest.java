package org.astropt.stream.core.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import nom.tam.fits.Fits;
import nom.tam.fits.ImageHDU;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.io.Npy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our tokens against the reference fixture astropt-v1-tiny (a 64x64 grz image, 16 tokens of 768). */
class TokenizerParityTest {

    /** What float32 allows on tokens (fixtures/README.md). */
    private static final double TOLERANCE = 1e-5;

    private Path fixture;

    @BeforeEach
    void findFixture() {
        fixture = SharedFixtures.tiny("image.npy").getParent();
    }

    @Test
    void tokensFromImageNpyMatchReference() throws Exception {
        Tokens tokens = new PatchTokenizer().tokenize("image.npy", readDisplayImage());
        assertMatchesReference(tokens);
    }

    @Test
    void tokensFromImageFitsThroughTheDecoderMatchReference() {
        // The product path: FITS bytes -> CutoutDecoder (flips to display orientation) -> tokenizer.
        CutoutImage decoded = new CutoutDecoder().decode(fixture.resolve("image.fits"));
        assertEquals(3, decoded.bandCount());
        assertMatchesReference(new PatchTokenizer().tokenize("image.fits", decoded));
    }

    @Test
    void fitsCubeFlippedVerticallyIsTheDisplayImageAndGivesTheSameTokens() throws Exception {
        float[][][] cube;
        try (Fits fits = new Fits(fixture.resolve("image.fits").toFile())) {
            cube = (float[][][]) ((ImageHDU) fits.readHDU()).getKernel(); // [NAXIS3 band][NAXIS2 row][NAXIS1 x], row 0 at the bottom
        }
        int bands = cube.length, height = cube[0].length;
        float[][][] display = new float[bands][height][];
        for (int c = 0; c < bands; c++) {
            for (int y = 0; y < height; y++) display[c][y] = cube[c][height - 1 - y].clone();
        }
        CutoutImage npy = readDisplayImage();
        for (int c = 0; c < bands; c++) {
            for (int y = 0; y < height; y++) {
                assertArrayEquals(npy.pixels()[c][y], display[c][y], "band " + c + " row " + y);
            }
        }
        Tokens tokens = new PatchTokenizer().tokenize("image.fits",
                new CutoutImage(display, List.of("g", "r", "z"), Map.of()));
        assertMatchesReference(tokens);
    }

    private CutoutImage readDisplayImage() throws Exception {
        Npy.Array image = Npy.read(fixture.resolve("image.npy"));
        int bands = image.size(0), height = image.size(1), width = image.size(2);
        float[][][] pixels = new float[bands][height][width];
        for (int c = 0; c < bands; c++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(image.data(), (c * height + y) * width, pixels[c][y], 0, width);
            }
        }
        return new CutoutImage(pixels, List.of("g", "r", "z"), Map.of());
    }

    private void assertMatchesReference(Tokens tokens) {
        Npy.Array expected;
        try {
            expected = Npy.read(fixture.resolve("tokens.npy"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(expected.size(0), tokens.tokenCount());
        assertEquals(expected.size(1), tokens.tokenDim());
        assertEquals(4, tokens.gridSize());
        assertEquals(64, tokens.cropSize());
        assertEquals(0.0, tokens.nanFraction());
        float[] want = expected.data();
        float[] got = tokens.data();
        double worst = 0;
        int worstAt = -1;
        for (int k = 0; k < want.length; k++) {
            double d = Math.abs(want[k] - got[k]);
            if (!(d <= worst)) {
                worst = d;
                worstAt = k;
            }
        }
        int dim = tokens.tokenDim();
        assertTrue(worst <= TOLERANCE, "token " + worstAt / dim + " value " + worstAt % dim + " differs by " + worst
                + " (reference " + (worstAt < 0 ? "?" : want[worstAt]) + ", ours " + (worstAt < 0 ? "?" : got[worstAt]) + ")");
    }
}
