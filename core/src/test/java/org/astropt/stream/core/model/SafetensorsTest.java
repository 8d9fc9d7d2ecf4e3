package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.model.Safetensors.Dtype;
import org.astropt.stream.core.model.Safetensors.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @Test
    void roundTripsEachFloatDtype(@TempDir Path dir) throws Exception {
        // Values exactly representable in all three dtypes survive unchanged.
        float[] exact = {0f, -0f, 1f, -2f, 0.5f, 3.25f, -1024f, 0.0078125f};
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Dtype d : Dtype.values()) in.put("t." + d, Tensor.of(new long[] {2, 4}, exact, d));
        Path file = dir.resolve("w.safetensors");
        Safetensors.write(file, in, Map.of("format", "pt"));

        Map<String, Tensor> out = Safetensors.read(file);
        assertEquals(in.keySet(), out.keySet());
        for (Dtype d : Dtype.values()) {
            Tensor t = out.get("t." + d);
            assertEquals(d.name(), t.dtype());
            assertArrayEquals(new long[] {2, 4}, t.shape());
            assertArrayEquals(exact, t.toFloats());
        }
        assertEquals(Map.of("format", "pt"), Safetensors.metadata(file));
        // The data section starts 8-byte aligned, as the format asks.
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
    }

    @Test
    void halfAndBfloat16RoundToNearestEven() {
        // Known IEEE binary16 encodings.
        assertEquals((short) 0x3C00, Safetensors.floatToHalf(1f));
        assertEquals((short) 0x7BFF, Safetensors.floatToHalf(65504f));
        assertEquals((short) 0x7C00, Safetensors.floatToHalf(1e6f));
        assertEquals((short) 0x0001, Safetensors.floatToHalf(0x1p-24f));
        assertEquals((short) 0x0000, Safetensors.floatToHalf(0x1p-26f));
        assertEquals((short) 0x3555, Safetensors.floatToHalf(1f / 3));
        assertEquals((short) 0xC000, Safetensors.floatToHalf(-2f));
        assertEquals(0x1p-24f, Safetensors.halfToFloat((short) 0x0001));
        assertEquals(65504f, Safetensors.halfToFloat((short) 0x7BFF));
        assertEquals(Float.NEGATIVE_INFINITY, Safetensors.halfToFloat((short) 0xFC00));
        assertTrue(Float.isNaN(Safetensors.halfToFloat((short) 0x7E00)));
        // 1 + 2^-11 lies halfway between two halves: ties go to the even one (1.0).
        assertEquals((short) 0x3C00, Safetensors.floatToHalf(1f + 0x1p-11f));
        // bfloat16: the top 16 bits of a float32, rounded.
        assertEquals((short) 0x3F80, Safetensors.floatToBfloat16(1f));
        assertEquals((short) 0x3DCD, Safetensors.floatToBfloat16(0.1f));
        assertTrue(Float.isNaN(Float.intBitsToFloat(Safetensors.floatToBfloat16(Float.NaN) << 16)));
    }

    @Test
    void readsTheFixtureWeights() throws Exception {
        Path file = SharedFixtures.tiny("weights.safetensors");
        Map<String, Tensor> t = Safetensors.read(file);
        assertEquals(24, t.size());
        assertArrayEquals(new long[] {1024, 64}, t.get("transformer.wpe.weight").shape());
        assertArrayEquals(new long[] {64, 768}, t.get("transformer.wte.0.weight").shape());
        assertEquals(64 * 768, t.get("transformer.wte.0.weight").toFloats().length);
    }

    @Test
    void rejectsATruncatedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.safetensors");
        Safetensors.write(file, Map.of("a", Tensor.of(new long[] {4}, new float[4], Dtype.F32)), Map.of());
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 4));
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains("tensor a has data_offsets [0, 16] outside the 12 data bytes"), e.getMessage());
    }
}
