package org.astropt.stream.flink.records;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Avro's binary encoding by hand (the specification's "Binary Encoding": zig-zag varints, little-endian floats,
 * length-prefixed strings and bytes, arrays and maps as counted blocks ended by 0, a union as its branch index), for
 * the records the pipeline reads or writes once per cutout ({@link TokenSequenceBytes}, {@link TokenSequenceFields},
 * {@link EmbeddingBytes}),
 * where Avro's generic machinery (a resolving decoder per field, a String per map key and value, a copy of the token
 * bytes, builders that check every field) was a tenth of the pipeline's CPU. Each user is tested to give the same
 * bytes as Avro's own encoder.
 */
final class AvroBinary {

    private AvroBinary() {}

    /** Single-object encoding's marker, {@code C3 01}, before the schema's 8-byte little-endian fingerprint. */
    static final int HEADER_BYTES = 10;

    /** A position in an array of Avro binary: each read moves past what it read; reading past the end is an error naming {@code what}. */
    static final class Reader {
        final byte[] bytes;
        int at;
        private final String what;

        Reader(byte[] bytes, int at, String what) {
            this.bytes = bytes;
            this.at = at;
            this.what = what;
        }

        boolean atEnd() { return at == bytes.length; }

        long readLong() {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = next();
                raw |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
            }
            throw malformed("a varint longer than 10 bytes");
        }

        int readInt() {
            long v = readLong();
            if (v != (int) v) throw malformed("an int out of range: " + v);
            return (int) v;
        }

        /** A length (of a string, bytes), checked against what is left. */
        int readLength() {
            long n = readLong();
            if (n < 0 || n > bytes.length - at) throw malformed("a length of " + n + " with " + (bytes.length - at) + " bytes left");
            return (int) n;
        }

        void skip(int n) {
            if (n > bytes.length - at) throw malformed("the record ends early");
            at += n;
        }

        void skipString() { skip(readLength()); }

        String readString() {
            int n = readLength();
            String s = new String(bytes, at, n, StandardCharsets.UTF_8);
            at += n;
            return s;
        }

        boolean readBoolean() {
            int b = next();
            if (b > 1) throw malformed("a boolean byte " + b);
            return b == 1;
        }

        /** The branch of a {@code ["null", T]} union: false for null. */
        boolean readOptional() {
            int branch = readInt();
            if (branch != 0 && branch != 1) throw malformed("union branch " + branch + " of a two-branch union");
            return branch == 1;
        }

        /** The item count of the next block of an array or map (0: the end); a block's byte size, when written, is skipped. */
        long readBlockCount() {
            long count = readLong();
            if (count < 0) {
                readLong();
                count = -count;
            }
            return count;
        }

        private int next() {
            if (at >= bytes.length) throw malformed("the record ends early");
            return bytes[at++] & 0xff;
        }

        IllegalArgumentException malformed(String problem) {
            return new IllegalArgumentException(what + " is not a valid Avro record: " + problem + " at byte " + at);
        }
    }

    /** A growing byte buffer that writes Avro binary; {@link #reset} keeps its array for the next record. */
    static final class Writer {
        private byte[] buf = new byte[4096];
        private int size;

        void reset() { size = 0; }

        byte[] toByteArray() { return Arrays.copyOf(buf, size); }

        void writeLong(long v) {
            ensure(10);
            long n = (v << 1) ^ (v >> 63);
            while ((n & ~0x7fL) != 0) {
                buf[size++] = (byte) ((n & 0x7f) | 0x80);
                n >>>= 7;
            }
            buf[size++] = (byte) n;
        }

        /** One byte, 0 or 1 (not a varint). */
        void writeBoolean(boolean v) {
            ensure(1);
            buf[size++] = (byte) (v ? 1 : 0);
        }

        void writeFloat(float v) {
            ensure(4);
            int bits = Float.floatToRawIntBits(v);
            buf[size++] = (byte) bits;
            buf[size++] = (byte) (bits >>> 8);
            buf[size++] = (byte) (bits >>> 16);
            buf[size++] = (byte) (bits >>> 24);
        }

        void writeDouble(double v) {
            ensure(8);
            long bits = Double.doubleToRawLongBits(v);
            for (int k = 0; k < 8; k++) buf[size++] = (byte) (bits >>> (8 * k));
        }

        void writeString(String s) {
            if (s.isEmpty()) {
                writeLong(0);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeLong(utf8.length);
            writeRaw(utf8, 0, utf8.length);
        }

        /** Bytes already in Avro binary (a header, a map copied from another record). */
        void writeRaw(byte[] bytes, int offset, int length) {
            ensure(length);
            System.arraycopy(bytes, offset, buf, size, length);
            size += length;
        }

        /** Makes room for n bytes the caller writes into {@link #array()} from the offset returned. */
        int reserve(int n) {
            ensure(n);
            size += n;
            return size - n;
        }

        byte[] array() { return buf; }

        /** A {@code map<string>} as Avro's encoder writes one: one block in the map's order, then 0. */
        void writeStringMap(Map<String, String> map) {
            if (!map.isEmpty()) {
                writeLong(map.size());
                for (Map.Entry<String, String> e : map.entrySet()) {
                    writeString(e.getKey());
                    writeString(e.getValue());
                }
            }
            writeLong(0);
        }

        /** The single-object header of a schema with this fingerprint. */
        void writeHeader(long fingerprint) {
            ensure(HEADER_BYTES);
            buf[size++] = (byte) 0xC3;
            buf[size++] = 0x01;
            for (int k = 0; k < 8; k++) buf[size++] = (byte) (fingerprint >>> (8 * k));
        }

        private void ensure(int more) {
            if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    /** Whether the message is single-object encoded with the schema of this fingerprint. */
    static boolean isSingleObject(byte[] message, long fingerprint) {
        if (message == null || message.length < HEADER_BYTES || message[0] != (byte) 0xC3 || message[1] != 0x01) return false;
        for (int k = 0; k < 8; k++) if (message[2 + k] != (byte) (fingerprint >>> (8 * k))) return false;
        return true;
    }
}
