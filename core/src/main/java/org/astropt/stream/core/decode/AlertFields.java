package org.astropt.stream.core.decode;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * The fields of an alert that users compare across surveys, under one set of names whatever the survey
 * calls them: {@code survey} (ZTF or Rubin), {@code candid} (ZTF candid, Rubin diaSourceId: the alert's
 * own id), {@code objectId} (ZTF objectId, Rubin diaSource.diaObjectId, else diaObject.diaObjectId, else ssObjectId), {@code ra}, {@code dec}
 * (degrees), {@code jd} (ZTF) or {@code mjd} (Rubin midpointMjdTai, TAI), {@code band}, {@code magpsf}
 * (ZTF's; for Rubin the AB magnitude of |psfFlux| in nJy), {@code isdiffpos} ({@code t} or {@code f}:
 * ZTF's own; for Rubin f when diaSource.isNegative, else from the sign of psfFlux), and the survey's
 * real/bogus scores: {@code rb}, {@code drb} (ZTF, drb from schema 3.3 on) or {@code reliability} (Rubin).
 * Absent fields are left out. Values are strings, as metadata travels.
 */
public final class AlertFields {

    /** ZTF filter ids (candidate.fid). */
    private static final Map<Integer, String> ZTF_FILTERS = Map.of(1, "g", 2, "r", 3, "i");
    /** AB zero point for fluxes in nanojansky: m = 31.4 - 2.5 log10(f / nJy). */
    private static final double NJY_ZERO_POINT = 31.4;

    private AlertFields() {}

    /** The fields above, read from a ZTF or Rubin alert record; empty for a record of neither shape. */
    public static Map<String, String> of(GenericRecord alert) {
        Map<String, String> out = new LinkedHashMap<>();
        if (field(alert, "candidate") instanceof GenericRecord c) {
            out.put("survey", "ZTF");
            put(out, "candid", field(alert, "candid"));
            put(out, "objectId", field(alert, "objectId"));
            put(out, "ra", field(c, "ra"));
            put(out, "dec", field(c, "dec"));
            put(out, "jd", field(c, "jd"));
            if (field(c, "fid") instanceof Integer fid) put(out, "band", ZTF_FILTERS.get(fid));
            put(out, "magpsf", field(c, "magpsf"));
            if (field(c, "isdiffpos") instanceof CharSequence s) out.put("isdiffpos", negativeZtf(s.toString()) ? "f" : "t");
            put(out, "rb", field(c, "rb"));
            put(out, "drb", field(c, "drb"));
        } else if (field(alert, "diaSource") instanceof GenericRecord s) {
            out.put("survey", "Rubin");
            Object id = field(alert, "diaSourceId");
            put(out, "candid", id != null ? id : field(s, "diaSourceId"));
            Object object = field(s, "diaObjectId");
            if (object == null && field(alert, "diaObject") instanceof GenericRecord o) object = field(o, "diaObjectId");
            put(out, "objectId", object != null ? object : field(s, "ssObjectId"));
            put(out, "ra", field(s, "ra"));
            put(out, "dec", field(s, "dec"));
            put(out, "mjd", field(s, "midpointMjdTai"));
            put(out, "band", field(s, "band"));
            Object flux = field(s, "psfFlux");
            if (flux instanceof Number f && f.doubleValue() != 0 && Double.isFinite(f.doubleValue())) {
                out.put("magpsf", String.valueOf((float) (NJY_ZERO_POINT - 2.5 * Math.log10(Math.abs(f.doubleValue())))));
            }
            Object negative = field(s, "isNegative");
            if (negative instanceof Boolean b) out.put("isdiffpos", b ? "f" : "t");
            else if (flux instanceof Number f) out.put("isdiffpos", f.doubleValue() < 0 ? "f" : "t");
            put(out, "reliability", field(s, "reliability"));
        }
        return out;
    }

    /**
     * Whether the detection is negative (the source got fainter than the template): ZTF writes isdiffpos
     * as {@code t}/{@code f} (and {@code 1}/{@code 0} in some packets); the difference stamp is then
     * template minus science for the source, so the triplet flips its sign.
     */
    static boolean negativeZtf(String isdiffpos) {
        String v = isdiffpos.trim().toLowerCase(java.util.Locale.ROOT);
        return v.equals("f") || v.equals("0") || v.equals("false");
    }

    /** Whether these fields say the difference stamp shows a negative detection. */
    public static boolean negative(Map<String, String> fields) {
        return "f".equals(fields.get("isdiffpos"));
    }

    private static Object field(GenericRecord r, String name) {
        return r.getSchema().getField(name) == null ? null : r.get(name);
    }

    private static void put(Map<String, String> out, String key, Object v) {
        if (v != null) out.put(key, v.toString());
    }
}
