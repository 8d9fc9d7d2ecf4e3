package org.astropt.stream.core.decode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.astropt.stream.core.InvalidCutoutException;

/**
 * Gunzip with a ceiling: inflates through a counting loop and stops the moment the output passes
 * {@code maxBytes}, so a few megabytes of gzip that expand to gigabytes (a gzip bomb) cost at most
 * {@code maxBytes} of heap. Concatenated gzip members are read as one stream, as gzip(1) does.
 */
final class BoundedGzip {

    private static final int CHUNK = 64 * 1024;

    private BoundedGzip() {}

    static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B;
    }

    /** The inflated bytes, or an InvalidCutoutException naming the limit or the damage. */
    static byte[] gunzip(byte[] gz, long maxBytes, String input) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), CHUNK)) {
            return readBounded(in, maxBytes, input, "gzip data");
        } catch (EOFException e) {
            throw new InvalidCutoutException(input, "gzip data is truncated (the stream ends before its trailer)");
        } catch (ZipException e) {
            throw new InvalidCutoutException(input, "gzip data is corrupt (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new InvalidCutoutException(input, "gzip data cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Reads {@code in} to its end, failing once more than {@code maxBytes} came out. */
    static byte[] readBounded(InputStream in, long maxBytes, String input, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(CHUNK);
        byte[] chunk = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(chunk)) > 0; ) {
            total += n;
            if (total > maxBytes) {
                throw new InvalidCutoutException(input, what + " inflates to more than " + maxBytes
                        + " bytes (DecodeLimits.maxDecompressedBytes); a gzip bomb or a file too big to decode");
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }
}
