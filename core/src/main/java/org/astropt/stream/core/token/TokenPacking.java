package org.astropt.stream.core.token;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Token values as the bytes a TokenSequence record carries: little-endian IEEE float32 (exact), or
 * float16 (binary16, round to nearest even) at half the size. A normalised token's values sit
 * within a few units of 0, where float16 keeps about 3 significant digits.
 */
public final class TokenPacking {

    /** How many bytes each value takes on the wire. */
    public enum Precision {
        FLOAT32(4), FLOAT16(2);

        private final int bytesPerValue;

        Precision(int bytesPerValue) { this.bytesPerValue = bytesPerValue; }

        public int bytesPerValue() { return bytesPerValue; }

        /** "float32" or "float16" (any case), as settings write it; anything else is an error naming the setting. */
        public static Precision of(String name, String setting) {
            for (Precision p : values()) if (p.name().equalsIgnoreCase(name.trim())) return p;
            throw new IllegalArgumentException(setting + "=" + name + " is not a token dtype: use float32 or float16");
        }
    }

    /** Every binary16 bit pattern's float (256 KB): unpacking float16 tokens is one load per value. */
    private static final float[] HALF_TO_FLOAT = new float[0x10000];

    static {
        for (int h = 0; h < 0x10000; h++) HALF_TO_FLOAT[h] = fromFloat16((short) h);
    }

    private TokenPacking() {}

    /** values -> values.length * bytesPerValue little-endian bytes. */
    public static byte[] pack(float[] values, Precision precision) {
        Objects.requireNonNull(values, "values");
        byte[] bytes = new byte[values.length * precision.bytesPerValue()];
        packInto(values, precision, bytes, 0);
        return bytes;
    }

    /** {@link #pack} into {@code dest} from {@code at} (a record's buffer: no array of its own); values.length * bytesPerValue bytes. */
    public static void packInto(float[] values, Precision precision, byte[] dest, int at) {
        Objects.checkFromIndexSize(at, values.length * precision.bytesPerValue(), dest.length);
        if (precision == Precision.FLOAT32) {
            ByteBuffer.wrap(dest, at, values.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values); // a bulk copy
            return;
        }
        for (int k = 0; k < values.length; k++, at += 2) {
            int half = toFloat16(values[k]);
            dest[at] = (byte) half;
            dest[at + 1] = (byte) (half >>> 8);
        }
    }

    /**
     * The packed values of {@code count} tokens of {@code dim} values each, straight into [count][dim] (no flat
     * array in between), from the buffer's position to its limit, leaving the buffer as it was. Bytes that do not
     * hold count x dim values are an error naming {@code what}.
     */
    public static float[][] unpackTokens(ByteBuffer bytes, Precision precision, int count, int dim, String what) {
        ByteBuffer buf = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        long expected = (long) count * dim * precision.bytesPerValue();
        if (count < 0 || dim < 0 || buf.remaining() != expected) {
            throw new IllegalArgumentException(what + ": token bytes hold " + buf.remaining() / precision.bytesPerValue()
                    + " values, not " + count + " x " + dim);
        }
        float[][] out = new float[count][dim];
        if (precision == Precision.FLOAT32) {
            java.nio.FloatBuffer floats = buf.asFloatBuffer();
            for (float[] token : out) floats.get(token);
        } else if (buf.hasArray()) { // Avro's and Kafka's buffers: read the bytes in place
            byte[] b = buf.array();
            int at = buf.arrayOffset() + buf.position();
            for (float[] token : out) {
                for (int k = 0; k < dim; k++, at += 2) token[k] = HALF_TO_FLOAT[(b[at] & 0xff) | (b[at + 1] & 0xff) << 8];
            }
        } else {
            java.nio.ShortBuffer halves = buf.asShortBuffer();
            for (float[] token : out) {
                for (int k = 0; k < dim; k++) token[k] = HALF_TO_FLOAT[halves.get() & 0xffff];
            }
        }
        return out;
    }

    /** The inverse of {@link #pack}. */
    public static float[] unpack(byte[] bytes, Precision precision) {
        return unpack(ByteBuffer.wrap(bytes), precision);
    }

    /** Unpacks the bytes from the buffer's position to its limit, leaving the buffer as it was (Avro hands out ByteBuffers). */
    public static float[] unpack(ByteBuffer bytes, Precision precision) {
        ByteBuffer buf = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        int width = precision.bytesPerValue();
        if (buf.remaining() % width != 0) {
            throw new IllegalArgumentException(buf.remaining() + " bytes of packed tokens are not whole "
                    + precision + " values of " + width + " bytes");
        }
        float[] values = new float[buf.remaining() / width];
        if (precision == Precision.FLOAT32) {
            buf.asFloatBuffer().get(values);
        } else {
            short[] halves = new short[values.length];
            buf.asShortBuffer().get(halves);
            for (int k = 0; k < values.length; k++) values[k] = HALF_TO_FLOAT[halves[k] & 0xffff];
        }
        return values;
    }

    /** float32 -> binary16 bits, round to nearest even; overflow to infinity, NaN stays NaN. */
    public static short toFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7f_ffff;
        if (exponent == 0xff) { // infinity, or NaN kept quiet with its top payload bits
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int e = exponent - 127 + 15; // re-biased exponent
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        if (e <= 0) {
            if (e < -10) return (short) sign; // below half the smallest subnormal, 2^-25
            // Subnormal half: value = m * 2^-24, so m = (1.mantissa as 24 bits) >> (14 - e), rounded.
            return (short) (sign | roundShift(mantissa | 0x80_0000, 14 - e));
        }
        // The carry out of a rounded-up mantissa lands in the exponent, as it should (up to infinity).
        return (short) (sign | roundShift((e << 23) | mantissa, 13));
    }

    /**
     * value >> shift, rounded to nearest, ties to even, without a branch: adding half - 1 plus the
     * kept part's lowest bit carries into the kept part exactly when the dropped part is over half, or
     * exactly half with an odd kept part. (A branch here mispredicts on every other token value.)
     */
    private static int roundShift(int value, int shift) {
        return (value + (1 << (shift - 1)) - 1 + ((value >>> shift) & 1)) >>> shift;
    }

    /** binary16 bits -> the float32 of the same value (exact: every half is a float). */
    public static float fromFloat16(short half) {
        int sign = (half & 0x8000) << 16;
        int exponent = (half >>> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        if (exponent == 0) { // zero or subnormal: mantissa * 2^-24
            float v = mantissa * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
