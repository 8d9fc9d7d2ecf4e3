package org.astropt.stream.core.decode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.schemas.ImageFormat;

/**
 * Describes an input without failing on it: the structure its headers declare, the bands it decodes
 * to with min/max/mean/median and NaN counts, and, when it does not decode, the one-line reason. What
 * {@code astropt inspect FILE} prints.
 */
public final class CutoutInspector {

    private final CutoutDecoder decoder;

    public CutoutInspector(CutoutDecoder decoder) { this.decoder = decoder; }

    public CutoutDescription inspect(Path file) {
        String input = String.valueOf(file.getFileName());
        try {
            long size = Files.size(file);
            if (size > decoder.limits().maxBytes()) {
                return failed(input, size, "file", "file is over the limit of " + decoder.limits().maxBytes()
                        + " bytes (DecodeLimits.maxBytes)");
            }
            return inspect(Files.readAllBytes(file), input, ImageFormat.AUTO, null, null);
        } catch (IOException e) {
            return failed(input, 0, "file", "cannot be read (" + OneLine.of(e) + ")");
        }
    }

    public CutoutDescription inspect(byte[] bytes, String input, ImageFormat format, Integer width, Integer height) {
        List<CutoutDescription.Hdu> hdus = new ArrayList<>();
        Map<String, String> fields = Map.of();
        String problem = null;
        MagicBytes magic = MagicBytes.of(bytes);
        String label = format == null || format == ImageFormat.AUTO ? label(magic) : format.name();
        try {
            byte[] plain = bytes;
            if (magic == MagicBytes.GZIP) {
                plain = BoundedGzip.gunzip(bytes, decoder.limits().maxDecompressedBytes(), input);
                label = label(MagicBytes.of(plain)) + " (gzip)";
            }
            if (MagicBytes.of(plain) == MagicBytes.FITS) {
                for (FitsLayout.Hdu h : FitsLayout.read(plain, input, decoder.limits())) {
                    hdus.add(new CutoutDescription.Hdu(h.index(), h.kind().name(), h.extname(), h.bitpix(),
                            Arrays.stream(h.axes()).boxed().toList()));
                }
            } else if (magic == MagicBytes.AVRO_CONTAINER || magic == MagicBytes.CONFLUENT) {
                fields = AlertDecoder.describe(decoder.alerts().read(bytes, input));
            }
        } catch (InvalidCutoutException e) {
            problem = e.problem();
        }
        List<CutoutDescription.Band> bands = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        try {
            CutoutImage image = decoder.decode(bytes, input, format, width, height);
            for (int b = 0; b < image.bandCount(); b++) bands.add(bandStats(image.bands().get(b), image.pixels()[b]));
            metadata = image.metadata();
        } catch (InvalidCutoutException e) {
            if (problem == null) problem = e.problem();
        }
        return new CutoutDescription(input, bytes.length, label, hdus, bands, fields, metadata, problem);
    }

    /** Min, max, mean and median over the finite pixels of {@code plane} [y][x]; NaN pixels counted. */
    public static CutoutDescription.Band bandStats(String name, float[][] plane) {
        int h = plane.length, w = plane[0].length;
        float[] finite = new float[w * h];
        int n = 0;
        long nan = 0;
        double sum = 0, min = Double.NaN, max = Double.NaN;
        for (float[] row : plane) {
            for (float v : row) {
                if (Float.isNaN(v)) { nan++; continue; }
                if (Float.isInfinite(v)) continue;
                finite[n++] = v;
                sum += v;
                min = n == 1 ? v : Math.min(min, v);
                max = n == 1 ? v : Math.max(max, v);
            }
        }
        Arrays.sort(finite, 0, n);
        double median = n == 0 ? Double.NaN
                : n % 2 == 1 ? finite[n / 2] : (finite[n / 2 - 1] + (double) finite[n / 2]) / 2;
        return new CutoutDescription.Band(name, w, h, min, max, n == 0 ? Double.NaN : sum / n, median, nan);
    }

    private static String label(MagicBytes magic) {
        return switch (magic) {
            case FITS -> "FITS";
            case GZIP -> "gzip";
            case PNG -> "PNG";
            case JPEG -> "JPEG";
            case AVRO_CONTAINER -> "Avro container (alert)";
            case CONFLUENT -> "Confluent-framed Avro (alert)";
            case UNKNOWN -> "unknown format";
        };
    }

    private static CutoutDescription failed(String input, long size, String label, String problem) {
        return new CutoutDescription(input, size, label, List.of(), List.of(), Map.of(), Map.of(), problem);
    }
}
