package org.astropt.stream.core.decode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nom.tam.fits.Header;
import nom.tam.fits.HeaderCard;
import nom.tam.util.Cursor;

/**
 * Header cards that become cutout metadata: every string or number card under its own keyword
 * (OBJECT, FILTER, EXPTIME, MJD-OBS, the synthetic survey's TRUTH_* and ARTEFACT cards, ...), minus the
 * cards that only describe the file's structure or were already applied to the pixels.
 */
final class FitsCards {

    /** Structure, scaling and compression cards: meaningless once the pixels are decoded. */
    private static final Set<String> STRUCTURAL = Set.of("SIMPLE", "XTENSION", "BITPIX", "EXTEND", "PCOUNT", "GCOUNT",
            "GROUPS", "END", "BSCALE", "BZERO", "BLANK", "THEAP", "TFIELDS", "CHECKSUM", "DATASUM", "ZIMAGE", "ZCMPTYPE",
            "ZBITPIX", "ZMASKCMP", "ZQUANTIZ", "ZDITHER0", "ZSIMPLE", "ZEXTEND", "ZBLOCKED", "ZTENSION", "ZPCOUNT",
            "ZGCOUNT", "ZHECKSUM", "ZDATASUM", "ZBLANK", "ZSCALE", "ZZERO");
    /** Structural keyword stems followed by any number of digits (none included): NAXIS, NAXIS1, ZTILE2, ... */
    private static final List<String> STRUCTURAL_NUMBERED = List.of("NAXIS", "ZNAXIS", "ZTILE", "ZNAME", "ZVAL");
    /** Table column keyword stems, followed by a column number of at least one digit. */
    private static final List<String> COLUMN_STEMS = List.of("TTYPE", "TFORM", "TUNIT", "TDIM", "TNULL", "TSCAL",
            "TZERO", "TDISP");
    /** Cards kept first when the metadata limit cuts the rest: what users and the synthetic survey ask for. */
    private static final List<String> FIRST = List.of("OBJECT", "FILTER", "BAND", "EXPTIME", "RA", "DEC",
            "MJD-OBS", "DATE-OBS", "TELESCOP", "INSTRUME", "EXTNAME", "BUNIT");
    private static final Set<String> FIRST_PREFIXES = Set.of("TRUTH", "ARTEFACT");

    private FitsCards() {}

    /** Adds the header's value cards to {@code into}, keeping values already there. */
    static void copy(Header header, Map<String, String> into) {
        Cursor<String, HeaderCard> it = header.iterator();
        while (it.hasNext()) {
            HeaderCard card = it.next();
            String key = card.getKey();
            if (key == null || key.isBlank() || !card.isKeyValuePair() || !isMetadata(key)) continue;
            Class<?> type = card.valueType();
            if (type == null || !(card.isStringValue() || Number.class.isAssignableFrom(type))) continue;
            String value = card.getValue();
            if (value != null) into.putIfAbsent(key, value.trim());
        }
    }

    /** Whether a value card of this keyword becomes metadata: it does unless it describes structure or scaling. */
    static boolean isMetadata(String key) {
        if (STRUCTURAL.contains(key)) return false;
        char first = key.isEmpty() ? ' ' : key.charAt(0);
        if (first != 'N' && first != 'Z' && first != 'T') return true; // every stem below starts so
        for (String stem : STRUCTURAL_NUMBERED) if (key.startsWith(stem) && digitsFrom(key, stem.length())) return false;
        for (String stem : COLUMN_STEMS) {
            if (key.length() > stem.length() && key.startsWith(stem) && digitsFrom(key, stem.length())) return false;
        }
        return true;
    }

    private static boolean digitsFrom(String key, int from) {
        for (int i = from; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** At most {@code max} entries: the cards of {@link #FIRST} and TRUTH_* / ARTEFACT* first, then file order. */
    static Map<String, String> select(Map<String, String> cards, int max) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : FIRST) {
            if (out.size() < max && cards.containsKey(key)) out.put(key, cards.get(key));
        }
        for (Map.Entry<String, String> e : cards.entrySet()) {
            if (out.size() < max && isFirstPrefix(e.getKey())) out.putIfAbsent(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : cards.entrySet()) {
            if (out.size() >= max) break;
            out.putIfAbsent(e.getKey(), e.getValue());
        }
        return out;
    }

    private static boolean isFirstPrefix(String key) {
        for (String p : FIRST_PREFIXES) if (key.startsWith(p)) return true;
        return false;
    }
}
