package org.astropt.stream.flink.functions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.flink.PipelineInputs.Format;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;

/**
 * The messages of the non-envelope inputs (ztf-alert, rubin-alert, fits) to what the tokenize stage needs: a
 * Cutout record describing the object (its id, survey, position and time; the image bytes as they came) and
 * the decoded image. Alerts decode as the alert-triplet layout, keyed by their candid (Rubin: diaSourceId),
 * objectId beside it in the metadata; a FITS message is keyed by the record's key. Errors are one line naming
 * the input ({@code topic-partition@offset (format)}).
 */
final class InputDecoder {

    /** Julian date of the Unix epoch, and the MJD of it. */
    private static final double JD_UNIX_EPOCH = 2440587.5, MJD_UNIX_EPOCH = 40587.0;
    private static final double MS_PER_DAY = 86_400_000.0;

    record Decoded(Cutout cutout, CutoutImage image, InputLayout layout) {}

    private final CutoutDecoder decoder;

    InputDecoder(CutoutDecoder decoder) { this.decoder = decoder; }

    /** Names a record in errors: where it was read and as what. */
    static String where(SourceRecord r, Format format) {
        return r.topic + "-" + r.partition + "@" + r.offset + " (" + format.id() + ")";
    }

    /** Checks the framing the input promises before anything is parsed (a ZTF packet on a Rubin topic is a clear error). */
    static void checkFraming(SourceRecord r, Format format) {
        byte[] v = r.value;
        String input = where(r, format);
        if (format == Format.ZTF_ALERT && !(v.length >= 4 && v[0] == 'O' && v[1] == 'b' && v[2] == 'j' && v[3] == 1)) {
            throw new InvalidCutoutException(input, "not an Avro object container file (ZTF alerts start with Obj\\x01)");
        }
        if (format == Format.RUBIN_ALERT && !(v.length > 5 && v[0] == 0)) {
            throw new InvalidCutoutException(input, "not Confluent-framed Avro (magic byte 0, a 4-byte schema id, the body)");
        }
        if (format == Format.FITS && (r.key == null || r.key.length == 0)) {
            throw new InvalidCutoutException(input, "a fits input needs the object id as the record key; this record has none");
        }
    }

    Decoded decode(SourceRecord r, Format format) {
        String input = where(r, format);
        if (format.isAlert()) {
            CutoutImage image = decoder.decodeAlertTriplet(r.value, input);
            Map<String, String> m = image.metadata();
            String candid = m.get("candid");
            if (candid == null || candid.isBlank()) throw new InvalidCutoutException(input, "the alert carries no candid");
            Cutout cutout = Cutout.newBuilder()
                    .setId(candid)
                    .setSurvey(m.getOrDefault("survey", "unknown"))
                    .setRa(number(m.get("ra")))
                    .setDec(number(m.get("dec")))
                    .setObservedTime(observed(m))
                    .setBands(image.bands())
                    .setFormat(format == Format.ZTF_ALERT ? ImageFormat.ZTF_ALERT : ImageFormat.RUBIN_ALERT)
                    .setImage(ByteBuffer.wrap(r.value))
                    .setMetadata(Map.of())
                    .build();
            return new Decoded(cutout, image, InputLayout.ALERT_TRIPLET);
        }
        String id = new String(r.key, StandardCharsets.UTF_8);
        CutoutImage image = decoder.decode(r.value, input + " key " + id, ImageFormat.FITS, null, null);
        Cutout cutout = Cutout.newBuilder()
                .setId(id)
                .setSurvey(survey(image.metadata()))
                .setBands(image.bands())
                .setFormat(ImageFormat.FITS)
                .setImage(ByteBuffer.wrap(r.value))
                .setMetadata(Map.of())
                .build();
        return new Decoded(cutout, image, InputLayout.GRZ_CUTOUT);
    }

    /** The survey a FITS header names (SURVEY, TELESCOP or INSTRUME), as astropt produce reads it; else "unknown". */
    private static String survey(Map<String, String> header) {
        for (String key : java.util.List.of("SURVEY", "TELESCOP", "INSTRUME")) {
            String v = header.get(key);
            if (v != null && !v.isBlank()) return v.trim();
        }
        return "unknown";
    }

    private static Double number(String v) {
        if (v == null) return null;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The exposure time from jd (ZTF) or mjd (Rubin, TAI: 37 s from UTC, below what matters here). */
    private static Instant observed(Map<String, String> m) {
        Double jd = number(m.get("jd")), mjd = number(m.get("mjd"));
        if (jd != null) return Instant.ofEpochMilli(Math.round((jd - JD_UNIX_EPOCH) * MS_PER_DAY));
        if (mjd != null) return Instant.ofEpochMilli(Math.round((mjd - MJD_UNIX_EPOCH) * MS_PER_DAY));
        return null;
    }
}
