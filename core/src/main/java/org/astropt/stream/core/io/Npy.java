package org.astropt.stream.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files of little-endian float32 in C order (format versions 1 to 3): what the
 * reference fixtures are and what {@code astropt tokenize} writes.
 */
public final class Npy {

    /** A float32 array: its shape and its values flattened in C order. */
    public record Array(int[] shape, float[] data) {
        public int size(int axis) { return shape[axis]; }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static Array read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    public static Array parse(byte[] bytes, String name) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IOException(name + ": not a .npy file (no \\x93NUMPY magic)");
        }
        int major = bytes[6];
        buf.position(8);
        int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
        if (headerLen < 0 || buf.position() + headerLen > bytes.length) {
            throw new IOException(name + ": .npy header runs past the end of the file");
        }
        String header = new String(bytes, buf.position(), headerLen, StandardCharsets.ISO_8859_1);
        buf.position(buf.position() + headerLen);
        String descr = group(DESCR, header, name, "descr");
        if (!descr.equals("<f4")) {
            throw new IOException(name + ": dtype " + descr + " is not little-endian float32 (<f4)");
        }
        if (group(ORDER, header, name, "fortran_order").equals("True")) {
            throw new IOException(name + ": Fortran-ordered arrays are not supported");
        }
        String shapeText = group(SHAPE, header, name, "shape").trim();
        int[] shape = shapeText.isEmpty() ? new int[0]
                : Arrays.stream(shapeText.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .mapToInt(Integer::parseInt).toArray();
        long count = 1;
        for (int d : shape) count *= d;
        if (count * 4 != buf.remaining()) {
            throw new IOException(name + ": shape " + Arrays.toString(shape) + " needs " + count * 4
                    + " bytes of data but the file has " + buf.remaining());
        }
        float[] data = new float[(int) count];
        buf.asFloatBuffer().get(data);
        return new Array(shape, data);
    }

    public static void write(Path file, int[] shape, float[] data) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, shape, data);
        }
    }

    public static void write(OutputStream out, int[] shape, float[] data) throws IOException {
        long count = 1;
        for (int d : shape) count *= d;
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length + " values");
        }
        String dims = String.join(", ", Arrays.stream(shape).mapToObj(String::valueOf).toList())
                + (shape.length == 1 ? "," : ""); // a 1-tuple is written (n,)
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1; // magic, version, length, dict, newline
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.write(head.array());
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        out.write(body.array());
    }

    private static String group(Pattern p, String header, String name, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new IOException(name + ": .npy header has no '" + key + "'");
        return m.group(1);
    }
}
