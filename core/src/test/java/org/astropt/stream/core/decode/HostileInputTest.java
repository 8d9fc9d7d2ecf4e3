package org.astropt.stream.core.decode;

import static org.astropt.stream.core.decode.FitsFiles.handMade;
import static org.astropt.stream.core.decode.FitsFiles.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import nom.tam.fits.BasicHDU;
import nom.tam.fits.NullDataHDU;
import org.apache.avro.file.CodecFactory;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.Test;

/**
 * Broken and hostile inputs: each must end in an InvalidCutoutException whose one-line message says
 * what was wrong, never an OutOfMemoryError (surefire runs these under -Xmx4g) or another exception.
 */
class HostileInputTest {

    private static final String SIMPLE = "SIMPLE  =                    T";
    private final CutoutDecoder decoder = new CutoutDecoder(DecodeLimits.defaults(),
            new InMemoryAlertSchemas().put(7, AlertPackets.ZTF_LIKE));

    private String problem(byte[] bytes, ImageFormat format) {
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                () -> decoder.decode(bytes, "bad", format, null, null));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("bad: "), e.getMessage());
        return e.problem();
    }

    @Test
    void emptyInput() {
        assertEquals("input is empty (0 bytes)", problem(new byte[0], ImageFormat.AUTO));
        assertEquals("input is empty (0 bytes)", problem(new byte[0], ImageFormat.FITS));
    }

    @Test
    void randomBytesInEveryFormat() {
        byte[] noise = new byte[5000];
        new Random(42).nextBytes(noise);
        noise[0] = 'R';
        assertTrue(problem(noise, ImageFormat.AUTO).startsWith("format not recognised"));
        assertEquals("not a FITS file (it does not start with a SIMPLE card)", problem(noise, ImageFormat.FITS));
        assertTrue(problem(noise, ImageFormat.PNG).startsWith("not a readable PNG image"));
        assertTrue(problem(noise, ImageFormat.JPEG).startsWith("not a readable JPEG image"));
        assertTrue(problem(noise, ImageFormat.ZTF_ALERT).startsWith("not an alert packet"));
        noise[0] = 0; // looks Confluent-framed: the schema id is what fails
        assertTrue(problem(noise, ImageFormat.AUTO).contains("which the configured AlertSchemas does not know"));
    }

    @Test
    void truncatedFitsInDataAndInHeader() {
        byte[] cube = FitsFiles.write(FitsFiles.image(new float[3][5][7])); // 420 bytes of data after 2880
        assertEquals("FITS HDU 0 declares 420 bytes of data but only 100 remain (truncated file)",
                problem(Arrays.copyOf(cube, 2880 + 100), ImageFormat.FITS));
        assertEquals("FITS HDU 0 header is truncated (the file ends before its END card)",
                problem(Arrays.copyOf(cube, 200), ImageFormat.AUTO));
    }

    @Test
    void unsupportedBitpix() {
        byte[] fits = handMade(64, SIMPLE, num("BITPIX", 12), num("NAXIS", 2), num("NAXIS1", 4), num("NAXIS2", 4));
        assertEquals("FITS HDU 0 has BITPIX = 12, not one of the FITS pixel types 8, 16, 32, 64, -32, -64",
                problem(fits, ImageFormat.FITS));
    }

    @Test
    void absurdAxesAreRefusedFromTheHeaderAlone() {
        byte[] huge = handMade(0, SIMPLE, num("BITPIX", -32), num("NAXIS", 2), num("NAXIS1", Integer.MAX_VALUE),
                num("NAXIS2", Integer.MAX_VALUE));
        assertEquals("FITS HDU 0 declares 2147483647 x 2147483647 pixels, over the limit of 16777216 per band"
                + " (DecodeLimits.maxPixels)", problem(huge, ImageFormat.AUTO));
        byte[] longer = handMade(0, SIMPLE, num("BITPIX", 8), num("NAXIS", 2), num("NAXIS1", Long.MAX_VALUE),
                num("NAXIS2", Long.MAX_VALUE));
        assertTrue(problem(longer, ImageFormat.FITS).contains("over the limit of 16777216 per band"));
        byte[] planes = handMade(0, SIMPLE, num("BITPIX", 16), num("NAXIS", 3), num("NAXIS1", 10), num("NAXIS2", 10),
                num("NAXIS3", 100_000));
        assertEquals("FITS HDU 0 declares 100000 planes in axis 3, over the limit of 16 bands (DecodeLimits.maxBands)",
                problem(planes, ImageFormat.FITS));
        List<String> cube = new ArrayList<>(List.of(SIMPLE, num("BITPIX", 8), num("NAXIS", 66)));
        for (int i = 1; i <= 66; i++) cube.add(num("NAXIS" + i, 16)); // 16^64 planes: 2^256, overflows a long
        assertEquals("FITS HDU 0 stacks more planes in NAXIS3..NAXIS66 than the limit of 16 bands (DecodeLimits.maxBands)",
                problem(handMade(0, cube.toArray(new String[0])), ImageFormat.FITS));
        byte[] axes = handMade(0, SIMPLE, num("BITPIX", 16), num("NAXIS", 1000));
        assertEquals("FITS HDU 0 has NAXIS = 1000, not a number of axes from 0 to 999", problem(axes, ImageFormat.FITS));
    }

    @Test
    void absurdExtensionAfterAGoodPrimary() {
        byte[] primary = handMade(0, SIMPLE, num("BITPIX", 8), num("NAXIS", 0), "EXTEND  =                    T");
        byte[] ext = handMade(0, "XTENSION= 'IMAGE   '", num("BITPIX", -64), num("NAXIS", 2), num("NAXIS1", 1 << 20),
                num("NAXIS2", 1 << 20), num("PCOUNT", 0), num("GCOUNT", 1));
        byte[] fits = concat(primary, ext);
        assertEquals("FITS HDU 1 declares 1048576 x 1048576 pixels, over the limit of 16777216 per band"
                + " (DecodeLimits.maxPixels)", problem(fits, ImageFormat.FITS));
    }

    @Test
    void zeroLengthAxis() {
        byte[] fits = handMade(0, SIMPLE, num("BITPIX", -32), num("NAXIS", 2), num("NAXIS1", 0), num("NAXIS2", 5));
        assertEquals("FITS HDU 0 declares a zero-length axis (NAXIS1 = 0), so it holds no pixels",
                problem(fits, ImageFormat.FITS));
    }

    @Test
    void headerWithoutEndAndTooManyHdus() {
        StringBuilder cards = new StringBuilder(String.format("%-80s", SIMPLE));
        for (int i = 0; i < 10_100; i++) cards.append(String.format("%-80s", "COMMENT no end in sight"));
        byte[] endless = cards.toString().getBytes(StandardCharsets.US_ASCII);
        assertEquals("FITS HDU 0 header has no END card within 10000 cards (DecodeLimits.maxHeaderCards)",
                problem(endless, ImageFormat.FITS));

        List<BasicHDU<?>> hdus = new ArrayList<>(List.of(new NullDataHDU()));
        for (int i = 0; i < 40; i++) hdus.add(table());
        byte[] many = FitsFiles.write(hdus.toArray(new BasicHDU<?>[0]));
        assertEquals("FITS file has more than 32 HDUs (DecodeLimits.maxHdus)", problem(many, ImageFormat.FITS));
    }

    @Test
    void tileSizesThatDisagreeWithTheTableAreRefusedBeforeDecompressing() throws Exception {
        var rice = nom.tam.image.compression.hdu.CompressedImageHDU.fromImageHDU(FitsFiles.image(new int[40][30]), 30, 10)
                .setCompressAlgorithm("RICE_1");
        rice.compress();
        byte[] fits = FitsFiles.write(new NullDataHDU(), rice);
        // nom-tam-fits runs out of memory building tiles for a ZTILE2 near 2^30 if it is not stopped first.
        assertEquals("FITS HDU 1 tile-compressed image needs 1 tiles but its table has 4 rows (corrupt ZTILE or NAXIS2)",
                problem(FitsFiles.replaceCard(fits, "ZTILE2", num("ZTILE2", 1 << 30)), ImageFormat.FITS));
        assertEquals("FITS HDU 1 has ZTILE1 = 0; a compression tile needs at least one pixel along each axis",
                problem(FitsFiles.replaceCard(fits, "ZTILE1", num("ZTILE1", 0)), ImageFormat.FITS));
        assertEquals("FITS HDU 1 declares 30 x 1073741824 pixels, over the limit of 16777216 per band"
                + " (DecodeLimits.maxPixels)", problem(FitsFiles.replaceCard(fits, "ZNAXIS2", num("ZNAXIS2", 1 << 30)),
                ImageFormat.FITS));
    }

    @Test
    void gzipBombStopsAtTheDecompressionLimit() throws IOException {
        // 1 GiB of zeros in about 1 MB: 16 gzip members of 64 MiB each (gunzip reads them as one stream).
        ByteArrayOutputStream member = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(member, 1 << 16)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) z.write(zeros);
        }
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        for (int i = 0; i < 16; i++) member.writeTo(bomb);
        assertTrue(bomb.size() < 4 << 20, "bomb is " + bomb.size() + " bytes");
        String expected = "gzip data inflates to more than 268435456 bytes (DecodeLimits.maxDecompressedBytes);"
                + " a gzip bomb or a file too big to decode";
        assertEquals(expected, problem(bomb.toByteArray(), ImageFormat.AUTO));
        assertEquals(expected, problem(bomb.toByteArray(), ImageFormat.FITS));
    }

    @Test
    void truncatedAndCorruptGzip() {
        byte[] gz = FitsFiles.gzip(FitsFiles.write(FitsFiles.image(new float[20][20])));
        assertEquals("gzip data is truncated (the stream ends before its trailer)",
                problem(Arrays.copyOf(gz, gz.length - 20), ImageFormat.AUTO));
        byte[] corrupt = gz.clone();
        for (int i = 12; i < corrupt.length - 8; i++) corrupt[i] = (byte) 0xFF;
        assertTrue(problem(corrupt, ImageFormat.FITS).startsWith("gzip data is corrupt"));
    }

    @Test
    void inputOverTheByteLimit() {
        CutoutDecoder small = new CutoutDecoder(DecodeLimits.defaults().withMaxBytes(1000));
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                () -> small.decode(new byte[2000], "big", ImageFormat.AUTO, null, null));
        assertEquals("big: input is 2000 bytes, over the limit of 1000 (DecodeLimits.maxBytes)", e.getMessage());
    }

    @Test
    void pngDeclaringHugeDimensionsIsRefusedBeforeDecoding() {
        byte[] png = pngHeader(100_000, 100_000);
        assertEquals("PNG image declares 100000 x 100000 pixels, outside 1 to 16777216 per band"
                + " (DecodeLimits.maxPixels)", problem(png, ImageFormat.AUTO));
    }

    @Test
    void truncatedPngAndJpeg() {
        byte[] png = ImageDecoderTest.encode(ImageDecoderTest.rgbGradient(64, 48), "png");
        assertTrue(problem(Arrays.copyOf(png, png.length / 2), ImageFormat.AUTO).startsWith("PNG"));
        byte[] jpeg = ImageDecoderTest.encode(ImageDecoderTest.rgbGradient(64, 48), "jpeg");
        assertTrue(problem(Arrays.copyOf(jpeg, jpeg.length / 2), ImageFormat.AUTO).startsWith("JPEG"));
    }

    @Test
    void rawFloat32WithTheWrongSizeOrNoShape() {
        assertEquals("RAW_FLOAT32 holds 100 bytes, not a whole number of 4 x 4 float32 planes (64 bytes each)",
                problem(new byte[100], ImageFormat.RAW_FLOAT32, 4, 4));
        assertEquals("RAW_FLOAT32 needs the width and height of its planes, and width is missing",
                problem(new byte[64], ImageFormat.RAW_FLOAT32, null, 4));
    }

    private String problem(byte[] bytes, ImageFormat format, Integer w, Integer h) {
        return assertThrows(InvalidCutoutException.class, () -> decoder.decode(bytes, "bad", format, w, h)).problem();
    }

    @Test
    void confluentAlertDeclaringAGigabyteStringIsRefusedBeforeAllocating() {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0);
        frame.writeBytes(ByteBuffer.allocate(4).putInt(7).array());
        frame.writeBytes(zigzagVarint(1L << 30)); // objectId: a string of 1 GiB
        frame.writeBytes("short".getBytes(StandardCharsets.US_ASCII));
        assertEquals("Avro data declares a length of 1073741824 bytes with only 5 left (truncated or corrupt)",
                problem(frame.toByteArray(), ImageFormat.RUBIN_ALERT));
    }

    @Test
    void truncatedAndCorruptAlertContainers() {
        byte[] stamp = FitsFiles.gzip(FitsFiles.write(FitsFiles.image(new float[8][8])));
        byte[] alert = AlertPackets.container(AlertPackets.ztfLike(stamp, null), CodecFactory.nullCodec());
        String truncated = problem(Arrays.copyOf(alert, alert.length - 60), ImageFormat.ZTF_ALERT);
        assertTrue(truncated.contains("truncated"), truncated);
        byte[] deflated = AlertPackets.container(AlertPackets.ztfLike(stamp, null), CodecFactory.deflateCodec(6));
        byte[] garbled = deflated.clone();
        for (int i = garbled.length - 40; i < garbled.length - 20; i++) garbled[i] ^= 0x5A;
        String corrupt = problem(garbled, ImageFormat.AUTO);
        assertTrue(corrupt.startsWith("Avro"), corrupt);
    }

    @Test
    void deeplyNestedAlertSchemaAndDataStopAtTheNestingLimit() {
        // A container whose schema nests 500 arrays: parsing must not overflow the stack,
        // and data that nests as deep is refused by the bounds check before Avro's reader recurses.
        StringBuilder schema = new StringBuilder();
        for (int i = 0; i < 500; i++) schema.append("{\"type\": \"array\", \"items\": ");
        schema.append("\"int\"");
        for (int i = 0; i < 500; i++) schema.append('}');
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(new byte[] {'O', 'b', 'j', 1});
        file.writeBytes(zigzagVarint(1)); // one metadata entry
        byte[] key = "avro.schema".getBytes(StandardCharsets.US_ASCII);
        byte[] json = schema.toString().getBytes(StandardCharsets.US_ASCII);
        file.writeBytes(zigzagVarint(key.length));
        file.writeBytes(key);
        file.writeBytes(zigzagVarint(json.length));
        file.writeBytes(json);
        file.writeBytes(zigzagVarint(0));
        byte[] sync = new byte[16];
        file.writeBytes(sync);
        ByteArrayOutputStream datum = new ByteArrayOutputStream();
        for (int i = 0; i < 200; i++) datum.writeBytes(zigzagVarint(1)); // arrays of one array of one ...
        file.writeBytes(zigzagVarint(1));
        file.writeBytes(zigzagVarint(datum.size()));
        file.writeBytes(datum.toByteArray());
        file.writeBytes(sync);
        assertEquals("Avro data nests deeper than 64", problem(file.toByteArray(), ImageFormat.AUTO));
    }

    @Test
    void errorTextFromOutsideIsMadeOneShortPrintableLine() {
        String text = OneLine.text("bad\n\tcodec '\u0001d\u00e9flate'  " + "x".repeat(500));
        assertTrue(text.startsWith("bad codec '?d?flate' xxx"), text);
        assertEquals(OneLine.MAX_CHARS + 3, text.length());
    }

    @Test
    void alertWithoutTheConfiguredStampField() {
        byte[] stamp = FitsFiles.gzip(FitsFiles.write(FitsFiles.image(new float[8][8])));
        byte[] alert = AlertPackets.container(AlertPackets.ztfLike(stamp, null), CodecFactory.nullCodec());
        CutoutDecoder difference = new CutoutDecoder(DecodeLimits.defaults().withAlertStamp(AlertStamp.DIFFERENCE));
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                () -> difference.decode(alert, "a.avro", ImageFormat.AUTO, null, null));
        assertEquals("a.avro: alert has no field cutoutDifference (schema ztf.alert.alert)", e.getMessage());
    }

    private static BasicHDU<?> table() {
        try {
            return nom.tam.fits.Fits.makeHDU(new Object[] {new int[] {1, 2}});
        } catch (nom.tam.fits.FitsException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] zigzagVarint(long n) {
        long v = (n << 1) ^ (n >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    /** A PNG signature and IHDR chunk (RGB, 8 bit) declaring the given size, with a correct CRC. */
    private static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue());
        return png.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
