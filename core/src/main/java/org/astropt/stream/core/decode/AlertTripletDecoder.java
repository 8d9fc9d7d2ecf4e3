package org.astropt.stream.core.decode;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;

/**
 * An alert packet to the {@code alert-triplet} image: its science, template and difference stamps as three
 * channels of one cutout, in that order (bands named {@code science}, {@code template}, {@code difference}).
 *
 * <ul>
 *   <li>The difference is multiplied by -1 when the alert says the detection is negative (ZTF
 *       {@code isdiffpos} f or 0; Rubin {@code diaSource.isNegative}, or a negative psfFlux when that is
 *       null), so a source that appeared or brightened and one that faded both show as positive flux.
 *       Rubin's {@code isDipole} is not flipped: a dipole has both signs whatever the flip.</li>
 *   <li>Each stamp's first image plane is used (a Rubin stamp may carry mask and variance HDUs after it).</li>
 *   <li>Stamps of unequal shape (cut at a CCD edge) are padded to the largest with NaN, centred; the
 *       tokenizer then fills NaN with 0 and counts it in nanFraction, and {@code triplet.edgeFilled}
 *       says how many values were added here.</li>
 * </ul>
 * The alert's common fields ({@link AlertFields}) and its other scalars are the metadata.
 */
final class AlertTripletDecoder {

    static final List<String> BANDS = List.of("science", "template", "difference");

    private final DecodeLimits limits;
    private final AlertDecoder alerts;
    private final FitsDecoder fits;

    AlertTripletDecoder(DecodeLimits limits, AlertDecoder alerts, FitsDecoder fits) {
        this.limits = limits;
        this.alerts = alerts;
        this.fits = fits;
    }

    CutoutImage decode(byte[] bytes, String input) {
        GenericRecord alert = alerts.read(bytes, input);
        Map<String, String> fields = AlertFields.of(alert);
        float[][][] stamps = new float[3][][];
        for (int i = 0; i < 3; i++) stamps[i] = stamp(alert, AlertStamp.values()[i].field(), input);
        int h = 0, w = 0;
        for (float[][] s : stamps) {
            h = Math.max(h, s.length);
            w = Math.max(w, s[0].length);
        }
        long filled = 0;
        for (int i = 0; i < 3; i++) {
            if (stamps[i].length != h || stamps[i][0].length != w) {
                filled += (long) h * w - (long) stamps[i].length * stamps[i][0].length;
                stamps[i] = padded(stamps[i], h, w);
            }
        }
        boolean flip = AlertFields.negative(fields);
        if (flip) {
            for (float[] row : stamps[2]) for (int x = 0; x < row.length; x++) row[x] = -row[x];
        }
        Map<String, String> metadata = AlertDecoder.metadata(alert, limits.maxMetadataEntries());
        metadata.putAll(fields);
        metadata.put("decode.format", "ZTF".equals(fields.get("survey")) ? "ZTF_ALERT" : "RUBIN_ALERT");
        metadata.put("triplet.differenceFlipped", String.valueOf(flip));
        metadata.put("triplet.edgeFilled", String.valueOf(filled));
        return new CutoutImage(stamps, BANDS, metadata);
    }

    private float[][] stamp(GenericRecord alert, String field, String input) {
        if (alert.getSchema().getField(field) == null) {
            throw new InvalidCutoutException(input, "alert has no field " + field + " (schema "
                    + alert.getSchema().getFullName() + "), so it has no science/template/difference triplet");
        }
        Object value = alert.get(field);
        if (value instanceof GenericRecord stamp && stamp.getSchema().getField("stampData") != null) {
            value = stamp.get("stampData");
        }
        if (!(value instanceof ByteBuffer data)) {
            throw new InvalidCutoutException(input, "alert field " + field + " is " + (value == null ? "null" : "not bytes")
                    + ": an alert-triplet needs all three stamps");
        }
        byte[] stampBytes = new byte[data.remaining()];
        data.duplicate().get(stampBytes);
        return fits.decode(stampBytes, input + " (" + field + ")").pixels()[0]; // gzipped (ZTF) or plain (Rubin)
    }

    /** {@code s} centred in an h x w plane of NaN (the odd row or column of fill goes to the bottom or right). */
    private static float[][] padded(float[][] s, int h, int w) {
        float[][] out = new float[h][w];
        int y0 = (h - s.length) / 2, x0 = (w - s[0].length) / 2;
        for (int y = 0; y < h; y++) {
            java.util.Arrays.fill(out[y], Float.NaN);
            if (y >= y0 && y < y0 + s.length) System.arraycopy(s[y - y0], 0, out[y], x0, s[0].length);
        }
        return out;
    }
}
