package org.astropt.stream.core.decode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;

/**
 * Alert packets to a cutout: the configured stamp ({@link DecodeLimits#alertStamp()}) decoded as FITS,
 * with the alert's ids, position and photometry as metadata.
 *
 * <p>Two framings: an Avro object container file with its schema inside (ZTF alerts, Rubin sample
 * packets), and the Confluent wire format (byte 0, a 4-byte big-endian schema id, the Avro body) whose
 * writer schema comes from {@link AlertSchemas} (Rubin's stream). Two stamp layouts: ZTF's
 * {@code cutoutScience: {fileName, stampData: bytes}} holding gzipped FITS, and Rubin's
 * {@code cutoutScience: ["null", "bytes"]} holding FITS.
 */
final class AlertDecoder {

    /** The alert's own per-detection record: ZTF calls it candidate, Rubin diaSource. */
    private static final List<String> SOURCE_RECORDS = List.of("candidate", "diaSource");
    /** ZTF filter ids (candidate.fid). */
    private static final Map<Integer, String> ZTF_FILTERS = Map.of(1, "g", 2, "r", 3, "i");

    /** Writer schemas whose datum readers are kept (a stream has one or a few; ZTF's change between its versions). */
    private static final int READERS_KEPT = 16;

    private final DecodeLimits limits;
    private final AlertSchemas schemas;
    private final FitsDecoder fits;
    /**
     * A datum reader per writer schema: building one resolves the schema each time, about 0.1 ms for Rubin's (a third
     * of decoding a Rubin alert's triplet), reading with a built one 0.01 ms (docs/BENCHMARKS.md, "Rubin visit").
     * Avro's GenericDatumReader may be shared between threads (it keeps its resolvers per thread).
     */
    private final Map<Schema, GenericDatumReader<GenericRecord>> readers = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(READERS_KEPT, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Schema, GenericDatumReader<GenericRecord>> eldest) {
                    return size() > READERS_KEPT;
                }
            });

    AlertDecoder(DecodeLimits limits, AlertSchemas schemas, FitsDecoder fits) {
        this.limits = limits;
        this.schemas = schemas;
        this.fits = fits;
    }

    CutoutImage decode(byte[] bytes, String input) {
        GenericRecord alert = read(bytes, input);
        String field = limits.alertStamp().field();
        if (alert.getSchema().getField(field) == null) {
            throw new InvalidCutoutException(input, "alert has no field " + field + " (schema "
                    + alert.getSchema().getFullName() + ")");
        }
        Object value = alert.get(field);
        if (value == null) {
            String ns = alert.getSchema().getNamespace();
            throw new InvalidCutoutException(input, "alert field " + field + " is null ("
                    + (ns != null && ns.startsWith("lsst") ? "Rubin sample alerts carry no stamps)" : "the alert carries no stamp)"));
        }
        String fileName = null;
        if (value instanceof GenericRecord stamp && stamp.getSchema().getField("stampData") != null) {
            fileName = stamp.getSchema().getField("fileName") != null ? String.valueOf(stamp.get("fileName")) : null;
            value = stamp.get("stampData");
        }
        if (!(value instanceof ByteBuffer data)) {
            throw new InvalidCutoutException(input, "alert field " + field + " holds no stamp bytes");
        }
        byte[] stampBytes = new byte[data.remaining()];
        data.duplicate().get(stampBytes);
        CutoutImage stamp = fits.decode(stampBytes, input + " (" + field + ")");

        Map<String, String> metadata = metadata(alert, limits.maxMetadataEntries());
        stamp.metadata().forEach((k, v) -> {
            if (metadata.size() < limits.maxMetadataEntries()) metadata.putIfAbsent(k, v);
        });
        metadata.put("decode.format", alert.getSchema().getNamespace() != null
                && alert.getSchema().getNamespace().startsWith("ztf") ? "ZTF_ALERT" : "RUBIN_ALERT");
        metadata.put("alert.stamp", field);
        if (fileName != null) metadata.put("alert.stampFile", fileName);
        String band = band(alert);
        List<String> bands = band != null && stamp.bandCount() == 1 ? List.of(band) : stamp.bands();
        return new CutoutImage(stamp.pixels(), bands, metadata);
    }

    /** The alert record, after {@link AvroBounds} has checked every declared length. */
    GenericRecord read(byte[] bytes, String input) {
        Schema schema;
        byte[] body;
        int offset, length;
        if (MagicBytes.startsWith(bytes, AvroBounds.CONTAINER_MAGIC)) {
            AvroBounds.Container container = AvroBounds.checkContainer(bytes, limits.maxDecompressedBytes(), input);
            schema = container.schema();
            body = container.firstBlock();
            offset = 0;
            length = body.length;
        } else if (bytes.length > 5 && bytes[0] == 0) {
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            schema = schemas.schema(id).orElseThrow(() -> new InvalidCutoutException(input, "Confluent-framed alert"
                    + " names writer schema id " + id + ", which the configured AlertSchemas does not know"));
            AvroBounds.checkDatum(schema, bytes, 5, bytes.length - 5, input);
            body = bytes;
            offset = 5;
            length = bytes.length - 5;
        } else {
            throw new InvalidCutoutException(input, "not an alert packet: neither an Avro container file (Obj\\x01)"
                    + " nor Confluent-framed Avro (magic byte 0 and a schema id)");
        }
        if (schema.getType() != Schema.Type.RECORD) {
            throw new InvalidCutoutException(input, "alert schema is a " + schema.getType() + ", not a record");
        }
        try {
            return readers.computeIfAbsent(schema, GenericDatumReader::new)
                    .read(null, DecoderFactory.get().binaryDecoder(body, offset, length, null));
        } catch (Exception e) {
            throw new InvalidCutoutException(input, "alert cannot be read with its schema " + schema.getFullName()
                    + " (" + OneLine.of(e) + ")");
        }
    }

    /**
     * At most {@code max} entries: top-level scalars under their names (objectId, candid, diaSourceId),
     * ra and dec of the detection, then the scalars of each nested record as {@code record.field}
     * (candidate.jd, candidate.magpsf, diaSource.midpointMjdTai, diaObject.diaObjectId, ...).
     */
    static Map<String, String> metadata(GenericRecord alert, int max) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> nested = new ArrayList<>();
        for (Schema.Field f : alert.getSchema().getFields()) {
            Object v = alert.get(f.pos());
            if (isScalar(v)) put(out, f.name(), v, max);
            else if (v instanceof GenericRecord r && r.getSchema().getField("stampData") == null) nested.add(f.name());
        }
        nested.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        for (String name : nested) {
            GenericRecord r = (GenericRecord) alert.get(name);
            if (SOURCE_RECORDS.contains(name)) {
                for (String key : List.of("ra", "dec")) {
                    if (r.getSchema().getField(key) != null && !out.containsKey(key)) put(out, key, r.get(key), max);
                }
            }
        }
        for (String name : nested) {
            GenericRecord r = (GenericRecord) alert.get(name);
            for (Schema.Field f : r.getSchema().getFields()) put(out, name + "." + f.name(), r.get(f.pos()), max);
        }
        return out;
    }

    /** One line per top-level field, for inspection: scalars by value, stamps and blobs by size. */
    static Map<String, String> describe(GenericRecord alert) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Schema.Field f : alert.getSchema().getFields()) {
            Object v = alert.get(f.pos());
            String text;
            if (v == null) text = "null";
            else if (v instanceof ByteBuffer b) text = b.remaining() + " bytes";
            else if (v instanceof GenericRecord r && r.getSchema().getField("stampData") != null) {
                Object d = r.get("stampData");
                text = "stamp " + r.get("fileName") + " (" + (d instanceof ByteBuffer b ? b.remaining() : 0) + " bytes)";
            } else if (v instanceof GenericRecord r) text = "record " + r.getSchema().getName() + " with "
                    + r.getSchema().getFields().size() + " fields";
            else if (v instanceof Collection<?> c) text = "array of " + c.size();
            else if (v instanceof Map<?, ?> m) text = "map of " + m.size();
            else text = String.valueOf(v);
            out.put(f.name(), text);
        }
        return out;
    }

    private static String band(GenericRecord alert) {
        Object candidate = field(alert, "candidate");
        if (candidate instanceof GenericRecord c && field(c, "fid") instanceof Integer fid) return ZTF_FILTERS.get(fid);
        Object source = field(alert, "diaSource");
        if (source instanceof GenericRecord s && field(s, "band") instanceof CharSequence band) return band.toString();
        return null;
    }

    private static Object field(GenericRecord r, String name) {
        return r.getSchema().getField(name) == null ? null : r.get(name);
    }

    private static int rank(String name) {
        int i = SOURCE_RECORDS.indexOf(name);
        return i < 0 ? SOURCE_RECORDS.size() : i;
    }

    private static boolean isScalar(Object v) {
        return v instanceof CharSequence || v instanceof Number || v instanceof Boolean || v instanceof GenericEnumSymbol;
    }

    private static void put(Map<String, String> out, String key, Object v, int max) {
        if (out.size() < max && isScalar(v)) out.putIfAbsent(key, v.toString());
    }
}
