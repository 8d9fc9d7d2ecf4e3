package org.astropt.stream.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors file format, read and written in plain Java: an 8-byte little-endian header
 * length, a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
 * then the raw little-endian tensor bytes. Floating tensors convert to and from float32; other
 * dtypes are kept as bytes so a loader can say which tensor has which wrong dtype.
 */
public final class Safetensors {

    /** The float dtypes this project reads and writes; all convert to float32 in memory. */
    public enum Dtype {
        F32(4), F16(2), BF16(2);

        public final int bytes;

        Dtype(int bytes) { this.bytes = bytes; }

        /** The dtype named in a header, or null when it is not a float dtype we convert. */
        public static Dtype parse(String name) {
            for (Dtype d : values()) if (d.name().equals(name)) return d;
            return null;
        }
    }

    /** One tensor as stored: its header dtype (any string), its shape and its raw bytes. */
    public record Tensor(String dtype, long[] shape, ByteBuffer data) {

        public long elementCount() { return Arrays.stream(shape).reduce(1, (a, b) -> a * b); }

        /** Values as float32; only for F32, F16 and BF16 tensors. */
        public float[] toFloats() {
            Dtype d = Dtype.parse(dtype);
            if (d == null) throw new IllegalStateException("dtype " + dtype + " is not F32, F16 or BF16");
            ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[Math.toIntExact(elementCount())];
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (d) {
                    case F32 -> in.getFloat();
                    case F16 -> halfToFloat(in.getShort());
                    case BF16 -> Float.intBitsToFloat((in.getShort() & 0xFFFF) << 16);
                };
            }
            return out;
        }

        /** A float tensor stored as dtype (rounded to nearest even for F16 and BF16). */
        public static Tensor of(long[] shape, float[] values, Dtype dtype) {
            ByteBuffer buf = ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                switch (dtype) {
                    case F32 -> buf.putFloat(v);
                    case F16 -> buf.putShort(floatToHalf(v));
                    case BF16 -> buf.putShort(floatToBfloat16(v));
                }
            }
            return new Tensor(dtype.name(), shape.clone(), buf.flip());
        }
    }

    /** Headers above this size are not a real checkpoint (the 2.1B model's header is ~40 KB). */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("F64", 8), Map.entry("F32", 4), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I64", 8), Map.entry("I32", 4), Map.entry("I16", 2), Map.entry("I8", 1),
            Map.entry("U8", 1), Map.entry("BOOL", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E5M2", 1));

    private Safetensors() {}

    /** All tensors in header order; each tensor's bytes are mapped from the file, not copied. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new InvalidCheckpointException(name, "too short for a safetensors file (" + size + " bytes)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new InvalidCheckpointException(name, "header length " + headerLen
                        + " does not fit a file of " + size + " bytes; not a safetensors file");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new InvalidCheckpointException(name, "header is not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (!(header instanceof ObjectNode entries)) throw new InvalidCheckpointException(name, "header is not a JSON object");
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = entries.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                tensors.put(e.getKey(), tensor(ch, name, e.getKey(), e.getValue(), dataStart, dataLen));
            }
            return tensors;
        }
    }

    /** The "__metadata__" string map of a file (empty when it has none). */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            ByteBuffer headerBuf = ByteBuffer.allocate(Math.toIntExact(lenBuf.flip().getLong()));
            readFully(ch, headerBuf, 8);
            JsonNode meta = JSON.readTree(headerBuf.array()).get("__metadata__");
            Map<String, String> out = new TreeMap<>();
            if (meta != null) meta.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
    }

    /** Writes tensors sorted by name, as the Python library does; metadata may be empty. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", t.dtype());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            long end = offset + t.data().remaining();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned; pad with spaces
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        // Written aside, then renamed: a reader never sees half a file, and tensors mapped from the
        // file being replaced stay readable while it is written.
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head.flip());
            for (Tensor t : sorted.values()) writeFully(ch, t.data().duplicate());
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Tensor tensor(FileChannel ch, String file, String name, JsonNode entry, long dataStart, long dataLen)
            throws IOException {
        JsonNode dtype = entry.get("dtype");
        JsonNode shape = entry.get("shape");
        JsonNode offsets = entry.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray()
                || offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new InvalidCheckpointException(file, "header entry " + name + " lacks dtype, shape or data_offsets");
        }
        long[] dims = new long[shape.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).asLong(-1);
            if (dims[i] < 0) throw new InvalidCheckpointException(file, "tensor " + name + " has a negative dimension");
            count *= dims[i];
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen) {
            throw new InvalidCheckpointException(file, "tensor " + name + " has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataLen + " data bytes");
        }
        Integer itemBytes = DTYPE_BYTES.get(dtype.asText());
        if (itemBytes != null && count * itemBytes != end - begin) {
            throw new InvalidCheckpointException(file, "tensor " + name + " of shape " + Arrays.toString(dims) + " and dtype "
                    + dtype.asText() + " needs " + count * itemBytes + " bytes but its data_offsets span " + (end - begin));
        }
        ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin);
        return new Tensor(dtype.asText(), dims, data.order(ByteOrder.LITTLE_ENDIAN));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) throw new IOException("unexpected end of file");
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    // ---- IEEE half and bfloat16 (Java 17 has no Float.float16ToFloat) ----

    static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13)); // inf, NaN
        if (exp == 0) { // zero or subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0)); // inf, NaN
        int e = exp - 127 + 15;
        if (e >= 0x1F) return (short) (sign | 0x7C00); // overflow to inf
        if (e <= 0) { // subnormal half or zero: shift the implicit one in, round to nearest even
            if (e < -10) return (short) sign;
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (rest > midpoint || (rest == midpoint && (half & 1) == 1)) half++;
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) half++; // may carry into exp: correct
        return (short) (sign | half);
    }

    static short floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) return (short) ((bits >>> 16) | 0x40); // keep NaN a NaN
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
