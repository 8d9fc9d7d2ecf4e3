package org.astropt.stream.core.decode;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Inflater;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.astropt.stream.core.InvalidCutoutException;

/**
 * A dry run over Avro binary data that checks every length and count against the bytes actually
 * present, before Avro's own readers run. Avro allocates a buffer as large as a declared length (a
 * 6-byte record can declare 2 GB of bytes) and a container block as large as its declared size; this
 * pass turns such input into a one-line error instead of an OutOfMemoryError.
 */
final class AvroBounds {

    static final byte[] CONTAINER_MAGIC = {'O', 'b', 'j', 1};
    private static final int SYNC_BYTES = 16;
    /** Nesting of records, arrays, maps and unions deeper than any alert schema (ZTF and Rubin reach 3). */
    private static final int MAX_DEPTH = 64;

    /** The writer schema and the first data block (inflated, checked) of an Avro object container file. */
    record Container(Schema schema, byte[] firstBlock, long firstBlockCount) {}

    private AvroBounds() {}

    /** Checks one datum of {@code schema} in {@code bytes[offset, offset + length)}. */
    static void checkDatum(Schema schema, byte[] bytes, int offset, int length, String input) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes, offset, length);
        BinaryDecoder d = DecoderFactory.get().directBinaryDecoder(in, null);
        run(input, () -> walk(schema, d, in, 0, input));
    }

    /** Checks a container file's header and first block; returns its schema. */
    static Container checkContainer(byte[] bytes, long maxInflated, String input) {
        if (!MagicBytes.startsWith(bytes, CONTAINER_MAGIC)) {
            throw new InvalidCutoutException(input, "not an Avro container file (no Obj\\x01 magic)");
        }
        ByteArrayInputStream in = new ByteArrayInputStream(bytes, CONTAINER_MAGIC.length, bytes.length - CONTAINER_MAGIC.length);
        BinaryDecoder d = DecoderFactory.get().directBinaryDecoder(in, null);
        Container[] result = new Container[1];
        run(input, () -> {
            String schemaJson = null, codec = "null";
            for (long count = blockCount(d, in, input); count != 0; count = blockCount(d, in, input)) {
                for (long i = 0; i < count; i++) {
                    String key = new String(bytes(d, in, input), StandardCharsets.UTF_8);
                    byte[] value = bytes(d, in, input);
                    if (key.equals("avro.schema")) schemaJson = new String(value, StandardCharsets.UTF_8);
                    if (key.equals("avro.codec")) codec = new String(value, StandardCharsets.UTF_8);
                }
            }
            if (schemaJson == null) throw new InvalidCutoutException(input, "Avro container file has no avro.schema");
            byte[] sync = fixed(d, in, SYNC_BYTES, input);
            Schema schema = parse(schemaJson, input);
            long records = d.readLong();
            long size = d.readLong();
            if (records < 1 || size < 0 || size > in.available() - SYNC_BYTES) {
                throw new InvalidCutoutException(input, "Avro container file's first block declares " + records
                        + " records in " + size + " bytes, with " + in.available() + " bytes left (truncated or corrupt)");
            }
            byte[] block = inflate(fixed(d, in, (int) size, input), codec, maxInflated, input);
            if (!Arrays.equals(sync, fixed(d, in, SYNC_BYTES, input))) {
                throw new InvalidCutoutException(input, "Avro container file's first block does not end in the file's"
                        + " sync marker (corrupt)");
            }
            ByteArrayInputStream blockIn = new ByteArrayInputStream(block);
            BinaryDecoder bd = DecoderFactory.get().directBinaryDecoder(blockIn, null);
            for (long i = 0; i < records; i++) walk(schema, bd, blockIn, 0, input);
            result[0] = new Container(schema, block, records);
        });
        return result[0];
    }

    static Schema parse(String json, String input) {
        try {
            return new Schema.Parser().parse(json);
        } catch (RuntimeException e) {
            throw new InvalidCutoutException(input, "Avro writer schema cannot be parsed (" + OneLine.of(e) + ")");
        }
    }

    private interface Check { void run() throws IOException; }

    private static void run(String input, Check check) {
        try {
            check.run();
        } catch (InvalidCutoutException e) {
            throw e;
        } catch (EOFException e) {
            throw new InvalidCutoutException(input, "Avro data is truncated (it ends inside a record)");
        } catch (IOException | RuntimeException e) {
            throw new InvalidCutoutException(input, "Avro data is corrupt (" + OneLine.of(e) + ")");
        }
    }

    private static void walk(Schema s, BinaryDecoder d, ByteArrayInputStream in, int depth, String input)
            throws IOException {
        if (depth > MAX_DEPTH) throw new InvalidCutoutException(input, "Avro data nests deeper than " + MAX_DEPTH);
        switch (s.getType()) {
            case NULL -> { }
            case BOOLEAN -> d.readBoolean();
            case INT -> d.readInt();
            case LONG -> d.readLong();
            case FLOAT -> d.readFloat();
            case DOUBLE -> d.readDouble();
            case STRING, BYTES -> d.skipFixed(length(d.readLong(), in, input));
            case FIXED -> d.skipFixed(length(s.getFixedSize(), in, input));
            case ENUM -> {
                int i = d.readEnum();
                if (i < 0 || i >= s.getEnumSymbols().size()) throw corrupt(input, "enum index " + i + " of " + s.getName());
            }
            case UNION -> {
                int i = d.readIndex();
                if (i < 0 || i >= s.getTypes().size()) throw corrupt(input, "union branch " + i);
                walk(s.getTypes().get(i), d, in, depth + 1, input);
            }
            case RECORD -> {
                for (Schema.Field f : s.getFields()) walk(f.schema(), d, in, depth + 1, input);
            }
            case ARRAY, MAP -> {
                for (long n = blockCount(d, in, input); n != 0; n = blockCount(d, in, input)) {
                    for (long i = 0; i < n; i++) {
                        if (s.getType() == Schema.Type.MAP) d.skipFixed(length(d.readLong(), in, input));
                        walk(s.getType() == Schema.Type.MAP ? s.getValueType() : s.getElementType(), d, in, depth + 1, input);
                    }
                }
            }
        }
    }

    /** An array or map block's item count; a negative count is followed by the block's byte size. */
    private static long blockCount(BinaryDecoder d, ByteArrayInputStream in, String input) throws IOException {
        long n = d.readLong();
        if (n < 0) {
            n = -n;
            length(d.readLong(), in, input);
        }
        // Every item but a null takes at least one byte, and no real alert holds millions of nulls.
        if (n > in.available() + 1L) throw corrupt(input, "a block of " + n + " items in " + in.available() + " bytes");
        return n;
    }

    private static int length(long n, ByteArrayInputStream in, String input) {
        if (n < 0 || n > in.available()) {
            throw new InvalidCutoutException(input, "Avro data declares a length of " + n + " bytes with only "
                    + in.available() + " left (truncated or corrupt)");
        }
        return (int) n;
    }

    private static byte[] bytes(BinaryDecoder d, ByteArrayInputStream in, String input) throws IOException {
        return fixed(d, in, length(d.readLong(), in, input), input);
    }

    private static byte[] fixed(BinaryDecoder d, ByteArrayInputStream in, int n, String input) throws IOException {
        byte[] b = new byte[length(n, in, input)];
        d.readFixed(b);
        return b;
    }

    private static byte[] inflate(byte[] block, String codec, long maxInflated, String input) throws IOException {
        if (codec.equals("null")) return block;
        if (!codec.equals("deflate")) {
            throw new InvalidCutoutException(input, "Avro codec '" + OneLine.text(codec) + "' is not supported (null or deflate)");
        }
        Inflater inflater = new Inflater(true); // Avro's deflate codec writes raw deflate, no zlib header
        try (java.io.InputStream z = new java.util.zip.InflaterInputStream(new ByteArrayInputStream(block), inflater)) {
            return BoundedGzip.readBounded(z, maxInflated, input, "Avro deflate block");
        } catch (java.util.zip.ZipException e) {
            throw new InvalidCutoutException(input, "Avro deflate block is corrupt (" + OneLine.of(e) + ")");
        } finally {
            inflater.end();
        }
    }

    private static InvalidCutoutException corrupt(String input, String what) {
        return new InvalidCutoutException(input, "Avro data is corrupt (" + what + ")");
    }
}
