package org.astropt.stream.core.decode;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * FITS pixel values to float planes. FITS stores a plane row by row from the BOTTOM of the image
 * (row 0 is the lowest y); a cutout is {@code [plane][y][x]} with row 0 at the TOP, so FITS row r
 * lands in row {@code height - 1 - r}. Physical value = BZERO + BSCALE x stored value; an integer
 * equal to BLANK becomes NaN; NaN in float data stays NaN (the tokenizer zeros NaN and counts them).
 */
final class FitsPixels {

    /** BSCALE, BZERO and, for integer data, the BLANK value (null when the header has none). */
    record Scaling(double bscale, double bzero, Long blank) {

        static Scaling of(FitsHeader h, int bitpix) {
            Long blank = bitpix > 0 && h.containsKey("BLANK") ? h.longValue("BLANK", 0) : null;
            return new Scaling(h.doubleValue("BSCALE", 1.0), h.doubleValue("BZERO", 0.0), blank);
        }

        boolean identity() { return bscale == 1.0 && bzero == 0.0; }

        float integer(long stored) {
            if (blank != null && stored == blank) return Float.NaN;
            return (float) (bzero + bscale * stored);
        }

        float real(double stored) {
            return identity() ? (float) stored : (float) (bzero + bscale * stored);
        }
    }

    /** Reads one row of {@code row.length} values starting at element {@code start}. */
    private interface RowReader {
        void read(int start, float[] row);
    }

    private FitsPixels() {}

    /** A typed big-endian view of plain (uncompressed) FITS data: the same kind of buffer nom-tam-fits
     *  gives for tile-compressed images, so both paths share {@link #planes}. */
    static Buffer view(byte[] bytes, int offset, int length, int bitpix) {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length).slice(); // big-endian, as FITS is
        return switch (bitpix) {
            case 8 -> b;
            case 16 -> b.asShortBuffer();
            case 32 -> b.asIntBuffer();
            case 64 -> b.asLongBuffer();
            case -32 -> b.asFloatBuffer();
            case -64 -> b.asDoubleBuffer();
            default -> throw new IllegalArgumentException("BITPIX " + bitpix);
        };
    }

    /**
     * Plain (uncompressed) FITS data starting at {@code offset} in {@code bytes} to [plane][y][x], top
     * row first. BITPIX -32, by far the commonest cutout type, is copied row by row from a big-endian
     * float view of the file's bytes straight into the output rows (a bulk, byte-swapping copy, no
     * intermediate array); the rest through {@link #view} and {@link #planes(Buffer, int, int, int, Scaling)}.
     */
    static float[][][] planes(byte[] bytes, int offset, int length, int bitpix, int width, int height, int planes,
                              Scaling s) {
        if (bitpix != -32) return planes(view(bytes, offset, length, bitpix), width, height, planes, s);
        FloatBuffer values = (FloatBuffer) view(bytes, offset, length, bitpix);
        float[][][] out = new float[planes][height][];
        boolean identity = s.identity();
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < height; r++) {
                float[] row = new float[width];
                values.get((p * height + r) * width, row);
                if (!identity) for (int x = 0; x < width; x++) row[x] = s.real(row[x]);
                out[p][height - 1 - r] = row;
            }
        }
        return out;
    }

    /** {@code values} in FITS order (x fastest, then rows bottom-up, then planes) to [plane][y][x], top row first. */
    static float[][][] planes(Buffer values, int width, int height, int planes, Scaling s) {
        RowReader reader = reader(values, s);
        float[][][] out = new float[planes][height][width];
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < height; r++) {
                reader.read((p * height + r) * width, out[p][height - 1 - r]);
            }
        }
        return out;
    }

    private static RowReader reader(Buffer values, Scaling s) {
        if (values instanceof ByteBuffer b) {
            return (start, row) -> { for (int x = 0; x < row.length; x++) row[x] = s.integer(b.get(start + x) & 0xFF); };
        }
        if (values instanceof ShortBuffer b) {
            return (start, row) -> { for (int x = 0; x < row.length; x++) row[x] = s.integer(b.get(start + x)); };
        }
        if (values instanceof IntBuffer b) {
            return (start, row) -> { for (int x = 0; x < row.length; x++) row[x] = s.integer(b.get(start + x)); };
        }
        if (values instanceof LongBuffer b) {
            return (start, row) -> { for (int x = 0; x < row.length; x++) row[x] = s.integer(b.get(start + x)); };
        }
        if (values instanceof FloatBuffer b) {
            return (start, row) -> { for (int x = 0; x < row.length; x++) row[x] = s.real(b.get(start + x)); };
        }
        if (values instanceof DoubleBuffer b) {
            return (start, row) -> { for (int x = 0; x < row.length; x++) row[x] = s.real(b.get(start + x)); };
        }
        throw new IllegalArgumentException("unsupported pixel buffer " + values.getClass().getSimpleName());
    }
}
