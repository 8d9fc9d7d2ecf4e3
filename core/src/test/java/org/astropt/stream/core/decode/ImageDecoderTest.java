package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import javax.imageio.ImageIO;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.Test;

/** PNG, JPEG and raw float32 planes: channel order, band names, values and orientation. */
class ImageDecoderTest {

    private final CutoutDecoder decoder = new CutoutDecoder();

    /** R = 3x, G = 2y, B = x + y + 50: every channel different and position-dependent. */
    static BufferedImage rgbGradient(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) image.setRGB(x, y, (3 * x % 256) << 16 | (2 * y % 256) << 8 | (x + y + 50) % 256);
        }
        return image;
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) throw new IllegalStateException("no writer for " + format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Test
    void rgbPngKeepsChannelOrderRgbAsBandsZRGWithRawValues() {
        BufferedImage rgb = rgbGradient(40, 30);
        CutoutImage image = decoder.decode(encode(rgb, "png"), "rgb.png", ImageFormat.AUTO, null, null);
        assertEquals(List.of("z", "r", "g"), image.bands());
        assertEquals(40, image.width());
        assertEquals(30, image.height());
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                int p = rgb.getRGB(x, y);
                assertEquals((p >> 16) & 0xFF, image.pixels()[0][y][x]);
                assertEquals((p >> 8) & 0xFF, image.pixels()[1][y][x]);
                assertEquals(p & 0xFF, image.pixels()[2][y][x]);
            }
        }
        assertEquals("PNG", image.metadata().get("decode.format"));
    }

    @Test
    void pngTopRowIsRowZero() {
        BufferedImage grey = new BufferedImage(32, 24, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 3, 0, 250); // a knot in the upper left as displayed
        CutoutImage image = decoder.decode(encode(grey, "png"), "knot.png", ImageFormat.PNG, null, null);
        assertEquals(List.of("b0"), image.bands());
        assertEquals(250f, image.pixels()[0][3][2]);
        assertEquals(0f, image.pixels()[0][24 - 1 - 3][2]);
    }

    @Test
    void sixteenBitGreyPngKeepsItsFullRange() {
        BufferedImage grey = new BufferedImage(5, 4, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSample(4, 0, 0, 65535);
        grey.getRaster().setSample(0, 3, 0, 1234);
        CutoutImage image = decoder.decode(encode(grey, "png"), "deep.png", ImageFormat.AUTO, null, null);
        assertEquals(65535f, image.pixels()[0][0][4]);
        assertEquals(1234f, image.pixels()[0][3][0]);
    }

    @Test
    void alphaIsDroppedAndPalettesExpand() {
        BufferedImage argb = new BufferedImage(6, 6, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(1, 1, 0x80_10_20_30);
        CutoutImage rgba = decoder.decode(encode(argb, "png"), "a.png", ImageFormat.AUTO, null, null);
        assertEquals(3, rgba.bandCount());
        assertArrayEquals(new float[] {0x10, 0x20, 0x30},
                new float[] {rgba.pixels()[0][1][1], rgba.pixels()[1][1][1], rgba.pixels()[2][1][1]});

        byte[] r = {0, (byte) 200}, g = {0, 100}, b = {0, 50};
        BufferedImage indexed = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(1, 2, r, g, b));
        WritableRaster raster = indexed.getRaster();
        raster.setSample(3, 2, 0, 1);
        CutoutImage palette = decoder.decode(encode(indexed, "png"), "p.png", ImageFormat.AUTO, null, null);
        assertEquals(List.of("z", "r", "g"), palette.bands());
        assertArrayEquals(new float[] {200, 100, 50},
                new float[] {palette.pixels()[0][2][3], palette.pixels()[1][2][3], palette.pixels()[2][2][3]});
    }

    @Test
    void jpegDecodesToThreeBandsCloseToTheEncodedColours() {
        BufferedImage flat = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 48; x++) flat.setRGB(x, y, x < 24 ? 0xC81E3C : 0x1E64DC);
        CutoutImage image = decoder.decode(encode(flat, "jpeg"), "c.jpg", ImageFormat.AUTO, null, null);
        assertEquals(List.of("z", "r", "g"), image.bands());
        assertEquals("JPEG", image.metadata().get("decode.format"));
        // Lossy, but flat areas away from the edge come back within a few levels.
        assertEquals(0xC8, image.pixels()[0][16][8], 6);
        assertEquals(0x1E, image.pixels()[1][16][8], 6);
        assertEquals(0x3C, image.pixels()[2][16][8], 6);
        assertEquals(0x1E, image.pixels()[0][16][40], 6);
        assertEquals(0xDC, image.pixels()[2][16][40], 6);
    }

    @Test
    void rawFloat32PlanesAreLittleEndianBandMajorTopRowFirst() {
        int w = 3, h = 2, bands = 2;
        ByteBuffer raw = ByteBuffer.allocate(4 * w * h * bands).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < w * h * bands; i++) raw.putFloat(i * 1.5f - 2f);
        CutoutImage image = decoder.decode(raw.array(), "raw", ImageFormat.RAW_FLOAT32, w, h);
        assertEquals(List.of("b0", "b1"), image.bands());
        assertArrayEquals(new float[] {-2f, -0.5f, 1f}, image.pixels()[0][0]);
        assertArrayEquals(new float[] {2.5f, 4f, 5.5f}, image.pixels()[0][1]);
        assertArrayEquals(new float[] {11.5f, 13f, 14.5f}, image.pixels()[1][1]);
        ByteBuffer three = ByteBuffer.allocate(4 * 3);
        CutoutImage grz = decoder.decode(three.array(), "raw3", ImageFormat.RAW_FLOAT32, 1, 1);
        assertEquals(List.of("g", "r", "z"), grz.bands());
        assertTrue(grz.metadata().get("decode.format").equals("RAW_FLOAT32"));
    }
}
