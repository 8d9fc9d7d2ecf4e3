package org.astropt.stream.core.decode;

import static org.astropt.stream.core.decode.FitsFiles.card;
import static org.astropt.stream.core.decode.FitsFiles.image;
import static org.astropt.stream.core.decode.FitsFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nom.tam.fits.NullDataHDU;
import nom.tam.image.compression.hdu.CompressedImageHDU;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.io.Npy;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every FITS layout the decoder accepts, written here with nom-tam-fits, read back pixel for pixel. */
class FitsDecoderTest {

    private static final int W = 7, H = 5; // not square, so a swapped axis cannot pass
    private final CutoutDecoder decoder = new CutoutDecoder(DecodeLimits.defaults());

    /** FITS-order array [row][x], row 0 at the bottom: value = 1000 * band + 10 * row + x. */
    private static float[][] fitsPlane(int band) {
        float[][] rows = new float[H][W];
        for (int r = 0; r < H; r++) for (int x = 0; x < W; x++) rows[r][x] = 1000 * band + 10 * r + x;
        return rows;
    }

    /** The decoded plane must be the FITS rows upside down: display row y is FITS row H - 1 - y. */
    private static void assertDisplayOf(float[][] fitsRows, float[][] decoded) {
        assertEquals(fitsRows.length, decoded.length);
        for (int y = 0; y < fitsRows.length; y++) {
            assertArrayEquals(fitsRows[fitsRows.length - 1 - y], decoded[y], "display row " + y);
        }
    }

    private CutoutImage decode(byte[] fits) {
        return decoder.decode(fits, "test.fits", ImageFormat.FITS, null, null);
    }

    @Test
    void cubeBecomesOneBandPerPlaneFlippedToDisplayOrientation() {
        float[][][] cube = {fitsPlane(0), fitsPlane(1), fitsPlane(2)};
        CutoutImage image = decode(write(image(cube)));
        assertEquals(3, image.bandCount());
        assertEquals(W, image.width());
        assertEquals(H, image.height());
        assertEquals(List.of("g", "r", "z"), image.bands());
        for (int b = 0; b < 3; b++) assertDisplayOf(cube[b], image.pixels()[b]);
    }

    @Test
    void brightKnotInTheUpperLeftOfTheDisplayIsAtSmallYAndSmallX() {
        float[][] rows = new float[64][48];
        rows[64 - 1 - 3][2] = 100f; // FITS row NAXIS2-4 (near the top of the sky image), x = 2
        CutoutImage image = decode(write(image(rows)));
        float[][] plane = image.pixels()[0];
        int bestY = -1, bestX = -1;
        for (int y = 0; y < plane.length; y++) {
            for (int x = 0; x < plane[0].length; x++) {
                if (plane[y][x] == 100f) { bestY = y; bestX = x; }
            }
        }
        assertEquals(3, bestY);
        assertEquals(2, bestX);
    }

    @Test
    void oneHduPerBandNamedByExtname() {
        byte[] fits = write(new NullDataHDU(), card(image(fitsPlane(0)), "EXTNAME", "g"),
                card(image(fitsPlane(1)), "EXTNAME", "r"), card(image(fitsPlane(2)), "EXTNAME", "i"));
        CutoutImage image = decode(fits);
        assertEquals(List.of("g", "r", "i"), image.bands());
        for (int b = 0; b < 3; b++) assertDisplayOf(fitsPlane(b), image.pixels()[b]);
    }

    @Test
    void oneHduPerBandNamedByFilterFirstWordBeforeADetectorExtname() {
        byte[] fits = write(new NullDataHDU(),
                card(card(image(fitsPlane(0)), "FILTER", "u DECam c0006 3500.0 1000.0"), "EXTNAME", "S4"),
                card(card(image(fitsPlane(1)), "FILTER", "Y DECam c0005 10095.0 1130.0"), "EXTNAME", "S4"));
        CutoutImage image = decode(fits);
        assertEquals(List.of("u", "Y"), image.bands());
    }

    @Test
    void bandKeywordNamesBandsAndRepeatedNamesFallBackToDefaults() {
        assertEquals(List.of("VIS", "NIR"), decode(write(new NullDataHDU(), card(image(fitsPlane(0)), "BAND", "VIS"),
                card(image(fitsPlane(1)), "BAND", "NIR"))).bands());
        assertEquals(List.of("b0", "b1"), decode(write(new NullDataHDU(), card(image(fitsPlane(0)), "BAND", "VIS"),
                card(image(fitsPlane(1)), "BAND", "VIS"))).bands());
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 32, 64, -32, -64})
    void everyBitpixDecodesExactly(int bitpix) {
        // Values include ones that only the right signedness gets right: 200 (unsigned byte), -3.
        double[][] values = new double[H][W];
        for (int r = 0; r < H; r++) for (int x = 0; x < W; x++) values[r][x] = bitpix == 8 ? 40 * r + x + 20 : 37 * r - x - 3;
        Object array = switch (bitpix) {
            case 8 -> convert(values, v -> (byte) v, byte[][]::new, byte[]::new);
            case 16 -> convert(values, v -> (short) v, short[][]::new, short[]::new);
            case 32 -> convert(values, v -> (int) v, int[][]::new, int[]::new);
            case 64 -> convert(values, v -> (long) v, long[][]::new, long[]::new);
            case -32 -> convert(values, v -> (float) v, float[][]::new, float[]::new);
            default -> values;
        };
        CutoutImage image = decode(write(image(array)));
        for (int r = 0; r < H; r++) {
            for (int x = 0; x < W; x++) assertEquals((float) values[r][x], image.pixels()[0][H - 1 - r][x], "r" + r + " x" + x);
        }
    }

    @Test
    void bscaleAndBzeroGivePhysicalValuesAndUnsignedShortsWork() {
        short[][] stored = {{-32768, -1, 0}, {1, 2, 32767}};
        CutoutImage scaled = decode(write(card(card(image(stored), "BSCALE", 0.5), "BZERO", 100.0)));
        assertArrayEquals(new float[] {100 - 16384f, 99.5f, 100f}, scaled.pixels()[0][1]);
        assertArrayEquals(new float[] {100.5f, 101f, 100 + 16383.5f}, scaled.pixels()[0][0]);
        CutoutImage unsigned = decode(write(card(image(stored), "BZERO", 32768.0)));
        assertArrayEquals(new float[] {0f, 32767f, 32768f}, unsigned.pixels()[0][1]);
    }

    @Test
    void blankIntegersBecomeNanAndNanFloatsStayNan() {
        int[][] ints = {{5, -999, 7}, {-999, 9, 10}};
        CutoutImage blanks = decode(write(card(image(ints), "BLANK", -999)));
        assertArrayEquals(new float[] {Float.NaN, 9f, 10f}, blanks.pixels()[0][0]);
        assertArrayEquals(new float[] {5f, Float.NaN, 7f}, blanks.pixels()[0][1]);
        float[][] floats = {{1f, Float.NaN}, {Float.NaN, 4f}};
        CutoutImage nan = decode(write(image(floats)));
        assertTrue(Float.isNaN(nan.pixels()[0][0][0]));
        assertEquals(4f, nan.pixels()[0][0][1]);
        assertEquals(1f, nan.pixels()[0][1][0]);
    }

    @Test
    void gzipFitsDecodesLikeThePlainFileWithExplicitOrSniffedFormat() {
        float[][][] cube = {fitsPlane(0), fitsPlane(1)};
        byte[] gz = FitsFiles.gzip(write(image(cube)));
        for (ImageFormat format : List.of(ImageFormat.FITS, ImageFormat.AUTO)) {
            CutoutImage image = decoder.decode(gz, "cube.fits.gz", format, null, null);
            assertEquals("FITS.gz", image.metadata().get("decode.format"));
            for (int b = 0; b < 2; b++) assertDisplayOf(cube[b], image.pixels()[b]);
        }
    }

    @Test
    void riceTileCompressedIntegersDecodeLosslesslyWithTheirScaling() throws Exception {
        int[][] rows = new int[40][30];
        for (int r = 0; r < 40; r++) for (int x = 0; x < 30; x++) rows[r][x] = (r * 31 + x * 17) % 500 - 100;
        CompressedImageHDU rice = CompressedImageHDU.fromImageHDU(card(card(image(rows), "BZERO", 3.0), "BSCALE", 2.0), 30, 8)
                .setCompressAlgorithm("RICE_1");
        rice.compress();
        CutoutImage image = decode(write(new NullDataHDU(), rice));
        assertEquals(1, image.bandCount());
        for (int r = 0; r < 40; r++) {
            for (int x = 0; x < 30; x++) assertEquals(3f + 2f * rows[r][x], image.pixels()[0][39 - r][x]);
        }
    }

    @Test
    void gzipTileCompressedFloatsKeepNanAndEveryBand() throws Exception {
        float[][][] cube = {fitsPlane(0), fitsPlane(1), fitsPlane(2)};
        cube[1][2][3] = Float.NaN;
        CompressedImageHDU gz = CompressedImageHDU.fromImageHDU(image(cube), W, H, 1).setCompressAlgorithm("GZIP_1");
        gz.compress();
        CutoutImage image = decode(write(new NullDataHDU(), gz));
        assertEquals(List.of("g", "r", "z"), image.bands());
        for (int b = 0; b < 3; b++) assertDisplayOf(cube[b], image.pixels()[b]);
    }

    @Test
    void quantizedRiceFloatsLikeFpackOutputComeBackWithinTheQuantizationStep() throws Exception {
        float[][] rows = new float[40][30];
        java.util.Random noise = new java.util.Random(7);
        for (int r = 0; r < 40; r++) for (int x = 0; x < 30; x++) rows[r][x] = 100f + 5f * (float) noise.nextGaussian();
        rows[30][4] = 900f;
        CompressedImageHDU rice = CompressedImageHDU.fromImageHDU(image(rows), 30, 10).setCompressAlgorithm("RICE_1")
                .setQuantAlgorithm("SUBTRACTIVE_DITHER_1");
        rice.getCompressOption(nom.tam.fits.compression.algorithm.quant.QuantizeOption.class).setQlevel(4);
        rice.compress();
        CutoutImage image = decode(write(new NullDataHDU(), rice));
        // q = 4 levels per noise sigma (5): a step of about 1.25, so errors stay below one step.
        for (int r = 0; r < 40; r++) {
            for (int x = 0; x < 30; x++) assertEquals(rows[r][x], image.pixels()[0][39 - r][x], 1.25);
        }
        assertFalse(image.metadata().containsKey("TFIELDS") || image.metadata().containsKey("ZTILE1"));
    }

    @Test
    void headerCardsBecomeMetadataWithoutStructuralCards() {
        var hdu = image(fitsPlane(0));
        card(hdu, "OBJECT", "synthetic-0042");
        card(hdu, "EXPTIME", 90.5);
        card(hdu, "TRUTH_N", 2.5);
        card(hdu, "ARTEFACT", "satellite_trail");
        card(hdu, "SIMPLEQ", true); // a boolean: not copied
        var meta = decode(write(hdu)).metadata();
        assertEquals("synthetic-0042", meta.get("OBJECT"));
        assertEquals(90.5, Double.parseDouble(meta.get("EXPTIME")));
        assertEquals(2.5, Double.parseDouble(meta.get("TRUTH_N")));
        assertEquals("satellite_trail", meta.get("ARTEFACT"));
        assertFalse(meta.containsKey("NAXIS1") || meta.containsKey("BITPIX") || meta.containsKey("SIMPLEQ"));
    }

    @Test
    void bandsOfDifferentShapesAreRefusedWithBothShapes() {
        byte[] fits = write(new NullDataHDU(), image(new float[5][7]), image(new float[6][7]));
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class, () -> decode(fits));
        assertEquals("test.fits: FITS HDU 2 is 7 x 6 pixels but HDU 1 is 7 x 5; all bands of a cutout must have"
                + " one shape", e.getMessage());
    }

    @Test
    void tablesAndEmptyPrimariesAreSkippedButAFileOfNoImageIsAnError() throws Exception {
        var table = nom.tam.fits.Fits.makeHDU(new Object[] {new int[] {1, 2, 3}, new double[] {0.5, 1.5, 2.5}});
        CutoutImage afterTable = decode(write(new NullDataHDU(), table, image(fitsPlane(4))));
        assertEquals(1, afterTable.bandCount());
        assertDisplayOf(fitsPlane(4), afterTable.pixels()[0]);
        byte[] tableOnly = write(new NullDataHDU(), nom.tam.fits.Fits.makeHDU(new Object[] {new int[] {1, 2, 3}}));
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class, () -> decode(tableOnly));
        assertTrue(e.getMessage().contains("no image HDU with pixels"), e.getMessage());
    }

    @Test
    void referenceFixtureFitsCubeEqualsItsDisplayOrientedNpy() throws Exception {
        Path dir = SharedFixtures.tiny("image.fits").getParent();
        Npy.Array expected = Npy.read(dir.resolve("image.npy"));
        CutoutImage image = decoder.decode(dir.resolve("image.fits"));
        int c = expected.size(0), h = expected.size(1), w = expected.size(2);
        assertEquals(List.of(c, h, w), List.of(image.bandCount(), image.height(), image.width()));
        for (int b = 0; b < c; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) assertEquals(expected.data()[(b * h + y) * w + x], image.pixels()[b][y][x]);
            }
        }
    }

    private interface Cast<T> { T cast(double v); }

    @SuppressWarnings("unchecked")
    private static <R, A> A convert(double[][] v, Cast<Object> cast, java.util.function.IntFunction<A> rows,
                                    java.util.function.IntFunction<R> row) {
        A out = rows.apply(v.length);
        for (int r = 0; r < v.length; r++) {
            R line = row.apply(v[r].length);
            for (int x = 0; x < v[r].length; x++) java.lang.reflect.Array.set(line, x, cast.cast(v[r][x]));
            ((Object[]) out)[r] = line;
        }
        return out;
    }

    @Test
    void singleBandFilesCombineWhenTheyDifferByAFewPixelsButNotWhenTheyAreDifferentFields(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path g = dir.resolve("g.fits"), r = dir.resolve("r.fits"), small = dir.resolve("small.fits");
        Files.write(g, write(card(image(new float[20][21]), "FILTER", "g")));
        Files.write(r, write(card(image(new float[20][20]), "FILTER", "r")));
        Files.write(small, write(card(image(new float[10][10]), "FILTER", "z")));

        CutoutImage gr = decoder.decodeBands(List.of(g, r));
        assertEquals(List.of("g", "r"), gr.bands());
        assertEquals(List.of(20, 20), List.of(gr.width(), gr.height()));

        InvalidCutoutException e = assertThrows(InvalidCutoutException.class, () -> decoder.decodeBands(List.of(g, small)));
        assertTrue(e.getMessage().startsWith("g.fits + small.fits: band input 2 is 10 x 10 pixels but input 1 is 21 x 20"),
                e.getMessage());
    }
}
