package org.astropt.stream.core.decode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
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
    private static final Pattern STRUCTURAL = Pattern.compile(
            "SIMPLE|XTENSION|BITPIX|NAXIS\\d*|EXTEND|PCOUNT|GCOUNT|GROUPS|END|BSCALE|BZERO|BLANK|THEAP|TFIELDS|"
                    + "CHECKSUM|DATASUM|ZIMAGE|ZCMPTYPE|ZBITPIX|ZNAXIS\\d*|ZTILE\\d*|ZNAME\\d*|ZVAL\\d*|ZMASKCMP|ZQUANTIZ|"
                    + "ZDITHER0|ZSIMPLE|ZEXTEND|ZBLOCKED|ZTENSION|ZPCOUNT|ZGCOUNT|ZHECKSUM|ZDATASUM|ZBLANK|ZSCALE|ZZERO|"
                    + "T(TYPE|FORM|UNIT|DIM|NULL|SCAL|ZERO|DISP)\\d+");
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
            if (key == null || key.isBlank() || !card.isKeyValuePair() || STRUCTURAL.matcher(key).matches()) continue;
            Class<?> type = card.valueType();
            if (type == null || !(card.isStringValue() || Number.class.isAssignableFrom(type))) continue;
            String value = card.getValue();
            if (value != null) into.putIfAbsent(key, value.trim());
        }
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
