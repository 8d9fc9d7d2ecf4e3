package org.astropt.stream.core.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.token.TokenPacking.Precision;
import org.junit.jupiter.api.Test;

class TokenPackingTest {

    @Test
    void float32RoundTripIsExactAndLittleEndian() {
        float[] values = {1.0f, -2.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0.0f, Float.NaN, 3.14159265f};
        byte[] bytes = TokenPacking.pack(values, Precision.FLOAT32);
        assertEquals(28, bytes.length);
        // 1.0f is 0x3F800000: little-endian puts 00 00 80 3F first.
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, java.util.Arrays.copyOf(bytes, 4));
        float[] back = TokenPacking.unpack(bytes, Precision.FLOAT32);
        for (int k = 0; k < values.length; k++) {
            assertEquals(Float.floatToRawIntBits(values[k]), Float.floatToRawIntBits(back[k]), "value " + k);
        }
    }

    @Test
    void realTokensRoundTripThroughBothPrecisions() {
        float[][][] pixels = new float[3][64][64];
        Random random = new Random(42);
        for (float[][] band : pixels) for (float[] row : band) for (int x = 0; x < 64; x++) row[x] = random.nextFloat() * 1000;
        float[] tokens = new PatchTokenizer().tokenize(new CutoutImage(pixels, List.of("g", "r", "z"), Map.of())).data();

        assertArrayEquals(tokens, TokenPacking.unpack(TokenPacking.pack(tokens, Precision.FLOAT32), Precision.FLOAT32));

        byte[] half = TokenPacking.pack(tokens, Precision.FLOAT16);
        assertEquals(tokens.length * 2, half.length);
        float[] back = TokenPacking.unpack(half, Precision.FLOAT16);
        for (int k = 0; k < tokens.length; k++) {
            // Nearest binary16: within half a unit in the last place, 2^-11 relative, 2^-25 absolute near 0.
            double allowed = Math.max(Math.abs(tokens[k]) * 0x1p-11, 0x1p-25);
            assertTrue(Math.abs(back[k] - tokens[k]) <= allowed, "value " + k + ": " + tokens[k] + " came back as " + back[k]);
        }
    }

    /** Tokens straight into [count][dim], from a buffer inside a larger array (as Avro hands them out) or a direct one: the values unpack gives. */
    @Test
    void unpackTokensGivesTheValuesOfUnpackWhereverTheBytesLie() {
        float[] values = new float[3 * 5];
        Random random = new Random(7);
        for (int k = 0; k < values.length; k++) values[k] = (float) random.nextGaussian();
        for (Precision precision : Precision.values()) {
            byte[] packed = TokenPacking.pack(values, precision);
            float[] flat = TokenPacking.unpack(packed, precision);
            byte[] larger = new byte[packed.length + 7];
            System.arraycopy(packed, 0, larger, 3, packed.length);
            ByteBuffer inside = ByteBuffer.wrap(larger, 3, packed.length);
            ByteBuffer direct = ByteBuffer.allocateDirect(packed.length).put(packed).flip();
            for (ByteBuffer bytes : List.of(inside, direct)) {
                float[][] tokens = TokenPacking.unpackTokens(bytes, precision, 3, 5, "obj-1");
                for (int t = 0; t < 3; t++) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(flat, 5 * t, 5 * t + 5), tokens[t], precision + " token " + t);
                }
            }
            assertEquals(3, inside.position());
            var e = assertThrows(IllegalArgumentException.class, () -> TokenPacking.unpackTokens(ByteBuffer.wrap(packed), precision, 4, 5, "obj-1"));
            assertEquals("obj-1: token bytes hold 15 values, not 4 x 5", e.getMessage());
        }
    }

    @Test
    void float16KnownEncodings() {
        // IEEE 754 binary16 bit patterns.
        assertEquals(0x3c00, bits(1.0f));
        assertEquals(0xc000, bits(-2.0f));
        assertEquals(0x7bff, bits(65504f)); // largest finite half
        assertEquals(0x7c00, bits(65520f)); // halfway to the next: ties to even rounds up to infinity
        assertEquals(0x0001, bits(0x1p-24f)); // smallest subnormal
        assertEquals(0x0400, bits(0x1p-14f)); // smallest normal
        assertEquals(0x0000, bits(0x1p-25f)); // exactly half the smallest subnormal: ties to even, 0
        assertEquals(0x3555, bits(1f / 3f));
        assertEquals(0x3c00, bits(1f + 0x1p-11f)); // tie between 0x3c00 and 0x3c01: even wins
        assertEquals(0x3c02, bits(1f + 3 * 0x1p-11f)); // tie between 0x3c01 and 0x3c02: even wins
        assertEquals(0x8000, bits(-0.0f));
        assertEquals(0xfc00, bits(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(TokenPacking.fromFloat16(TokenPacking.toFloat16(Float.NaN))));
        assertEquals(0.000060975552f, TokenPacking.fromFloat16((short) 0x03ff)); // largest subnormal, 1023 * 2^-24
    }

    @Test
    void everyHalfSurvivesTheTripThroughFloat() {
        for (int h = 0; h < 0x10000; h++) {
            float f = TokenPacking.fromFloat16((short) h);
            if (Float.isNaN(f)) {
                assertTrue((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0, "NaN from 0x" + Integer.toHexString(h));
                continue;
            }
            assertEquals(h, TokenPacking.toFloat16(f) & 0xffff, "half 0x" + Integer.toHexString(h) + " = " + f);
        }
    }

    @Test
    void unpackReadsFromPositionToLimitAndRejectsRaggedBytes() {
        byte[] packed = TokenPacking.pack(new float[] {7f, 8f}, Precision.FLOAT32);
        ByteBuffer buf = ByteBuffer.allocate(12);
        buf.putInt(0xdeadbeef).put(packed).position(4);
        assertArrayEquals(new float[] {7f, 8f}, TokenPacking.unpack(buf, Precision.FLOAT32));
        assertEquals(4, buf.position());
        assertThrows(IllegalArgumentException.class, () -> TokenPacking.unpack(new byte[7], Precision.FLOAT32));
        assertThrows(IllegalArgumentException.class, () -> TokenPacking.unpack(new byte[3], Precision.FLOAT16));
    }

    private static int bits(float value) {
        return TokenPacking.toFloat16(value) & 0xffff;
    }
}
