package org.astropt.stream.core.decode;

import java.nio.charset.StandardCharsets;

/** What the first bytes of an input say it is; how {@code ImageFormat.AUTO} is resolved. */
enum MagicBytes {
    FITS, GZIP, PNG, JPEG, AVRO_CONTAINER, CONFLUENT, UNKNOWN;

    private static final byte[] FITS_MAGIC = "SIMPLE  =".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};
    /** Confluent wire format: magic byte 0, a 4-byte schema id, then at least one byte of Avro body. */
    private static final int CONFLUENT_MIN_LENGTH = 6;

    static MagicBytes of(byte[] b) {
        if (startsWith(b, FITS_MAGIC)) return FITS;
        if (BoundedGzip.isGzip(b)) return GZIP;
        if (startsWith(b, PNG_MAGIC)) return PNG;
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) return JPEG;
        if (startsWith(b, AVRO_MAGIC)) return AVRO_CONTAINER;
        if (b.length >= CONFLUENT_MIN_LENGTH && b[0] == 0) return CONFLUENT;
        return UNKNOWN;
    }

    static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) return false;
        }
        return true;
    }
}
