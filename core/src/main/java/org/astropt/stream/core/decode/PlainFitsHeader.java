package org.astropt.stream.core.decode;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import nom.tam.fits.Header;

/**
 * A FITS header read in place from the file's bytes, for the plain headers cutouts carry: 80-character
 * cards of {@code KEYWORD = value / comment} with string, integer, real and logical values, COMMENT,
 * HISTORY and blank cards. It keeps, per value card, where its keyword and value lie and what kind the
 * value is; strings are made only for the values asked for and the cards that become metadata.
 *
 * <p>{@link #read} returns null, so that the caller parses the header with nom-tam-fits instead, for
 * anything else: a keyword repeated, HIERARCH or lower-case keywords, CONTINUE (long strings), complex,
 * hexadecimal or empty values, an unterminated string, bytes that are not printable ASCII, a structural
 * card (BITPIX, NAXISn, BSCALE, ...) of the wrong kind. So it never decides an unusual header
 * differently from nom-tam-fits; it only skips nom-tam-fits' card objects where they are not needed.
 */
final class PlainFitsHeader implements FitsHeader {

    private static final int CARD = FitsLayout.CARD;
    private static final byte STRING = 1, INTEGER = 2, REAL = 3, LOGICAL = 4;
    /** Digits a long always holds; longer integers are left to nom-tam-fits. */
    private static final int MAX_LONG_DIGITS = 18;

    private final byte[] bytes;
    private final int count;
    /** Per value card, in file order: offset of the card, of its value and the value's end, its kind. */
    private final int[] cardAt, valueFrom, valueTo;
    private final byte[] kinds;
    /** Open-addressing index of the keywords: card number + 1, 0 for an empty slot. */
    private final int[] slots;

    private PlainFitsHeader(byte[] bytes, int count, int[] cardAt, int[] valueFrom, int[] valueTo, byte[] kinds,
                            int[] slots) {
        this.bytes = bytes;
        this.count = count;
        this.cardAt = cardAt;
        this.valueFrom = valueFrom;
        this.valueTo = valueTo;
        this.kinds = kinds;
        this.slots = slots;
    }

    /**
     * The header of {@code cards} cards (its END card excluded) starting at {@code offset}, or null when
     * it is not plain and nom-tam-fits should read it.
     */
    static PlainFitsHeader read(byte[] bytes, int offset, int cards) {
        int[] cardAt = new int[cards], valueFrom = new int[cards], valueTo = new int[cards];
        byte[] kinds = new byte[cards];
        int[] slots = new int[Integer.highestOneBit(Math.max(4, cards) * 2) * 2];
        int count = 0;
        for (int c = 0; c < cards; c++) {
            int at = offset + c * CARD;
            if (!printable(bytes, at)) return null;
            int keyLength = keyLength(bytes, at);
            if (keyLength < 0) return null;
            boolean valueIndicator = bytes[at + 8] == '=' && bytes[at + 9] == ' ';
            if (commentary(bytes, at, keyLength)) continue;
            if (!valueIndicator) return null; // CONTINUE, HIERARCH, or a keyword without a value
            int from = at + 10, end = at + CARD;
            while (from < end && bytes[from] == ' ') from++;
            if (from == end) return null; // undefined value
            int to;
            byte kind;
            if (bytes[from] == '\'') {
                to = closingQuote(bytes, from + 1, end);
                if (to < 0 || !restIsComment(bytes, to + 1, end)) return null;
                from++;
                kind = STRING;
            } else {
                to = from;
                while (to < end && bytes[to] != '/' && bytes[to] != ' ') to++;
                if (!restIsComment(bytes, to, end)) return null;
                kind = kind(bytes, from, to);
                if (kind == 0) return null;
            }
            if (!index(slots, bytes, at, keyLength, count, cardAt)) return null; // repeated keyword
            cardAt[count] = at;
            valueFrom[count] = from;
            valueTo[count] = to;
            kinds[count] = kind;
            count++;
        }
        PlainFitsHeader h = new PlainFitsHeader(bytes, count, cardAt, valueFrom, valueTo, kinds, slots);
        return h.structureIsPlain() ? h : null;
    }

    @Override
    public String stringValue(String key) {
        int c = find(key);
        if (c < 0) return null;
        if (kinds[c] == STRING) return unquote(c).stripTrailing();
        return ascii(valueFrom[c], valueTo[c]);
    }

    @Override
    public long longValue(String key, long missing) {
        int c = find(key);
        return c >= 0 && kinds[c] == INTEGER ? Long.parseLong(ascii(valueFrom[c], valueTo[c])) : missing;
    }

    @Override
    public int intValue(String key, int missing) {
        long v = longValue(key, missing);
        return v == (int) v ? (int) v : missing;
    }

    @Override
    public double doubleValue(String key, double missing) {
        int c = find(key);
        if (c < 0 || (kinds[c] != INTEGER && kinds[c] != REAL)) return missing;
        return Double.parseDouble(ascii(valueFrom[c], valueTo[c]).replace('D', 'E').replace('d', 'e'));
    }

    @Override
    public boolean booleanValue(String key, boolean missing) {
        int c = find(key);
        return c >= 0 && kinds[c] == LOGICAL ? bytes[valueFrom[c]] == 'T' : missing;
    }

    @Override
    public boolean containsKey(String key) { return find(key) >= 0; }

    @Override
    public void copyMetadataCards(Map<String, String> into) {
        for (int c = 0; c < count; c++) {
            if (kinds[c] == LOGICAL) continue;
            String key = ascii(cardAt[c], cardAt[c] + keyLength(bytes, cardAt[c]));
            if (!FitsCards.isMetadata(key) || into.containsKey(key)) continue;
            into.put(key, (kinds[c] == STRING ? unquote(c) : ascii(valueFrom[c], valueTo[c])).trim());
        }
    }

    @Override
    public Header nomTam() {
        throw new IllegalStateException("a plain header has no nom-tam-fits form; tile-compressed HDUs are read by nom-tam-fits");
    }

    /** Keywords decoding reads, with the value kinds it accepts; another kind is left to nom-tam-fits. */
    private static final String[] INTEGER_KEYS = {"BITPIX", "ZBITPIX", "TFIELDS", "PCOUNT", "GCOUNT", "BLANK", "THEAP"};
    /** Of those, the ones read as an int. */
    private static final String[] INT_KEYS = {"BITPIX", "ZBITPIX", "TFIELDS"};
    private static final String[] NUMBER_KEYS = {"BSCALE", "BZERO"};
    private static final String[] LOGICAL_KEYS = {"SIMPLE", "EXTEND", "GROUPS", "INHERIT", "ZIMAGE"};
    private static final String[] STRING_KEYS = {"XTENSION", "EXTNAME", "FILTER", "BAND"};
    /** Keyword prefixes of axis and tile lengths: integers. */
    private static final String[] AXIS_PREFIXES = {"NAXIS", "ZNAXIS", "ZTILE"};

    /** Cards decoding reads as numbers, logicals or strings are such, BITPIX an int; else nom-tam-fits decides. */
    private boolean structureIsPlain() {
        for (String key : INTEGER_KEYS) if (!kindIs(key, INTEGER, INTEGER)) return false;
        for (String key : NUMBER_KEYS) if (!kindIs(key, INTEGER, REAL)) return false;
        for (String key : LOGICAL_KEYS) if (!kindIs(key, LOGICAL, LOGICAL)) return false;
        for (String key : STRING_KEYS) if (!kindIs(key, STRING, STRING)) return false;
        for (String key : INT_KEYS) {
            int c = find(key);
            if (c >= 0 && valueTo[c] - valueFrom[c] > 9) return false;
        }
        for (int c = 0; c < count; c++) {
            if (kinds[c] == INTEGER) continue;
            for (String prefix : AXIS_PREFIXES) if (startsWith(bytes, cardAt[c], prefix)) return false;
        }
        return true;
    }

    private boolean kindIs(String key, byte kind, byte orKind) {
        int c = find(key);
        return c < 0 || kinds[c] == kind || kinds[c] == orKind;
    }

    private int find(String key) {
        int length = key.length();
        if (length == 0 || length > 8) return -1;
        int mask = slots.length - 1;
        for (int s = key.hashCode() & mask; slots[s] != 0; s = (s + 1) & mask) {
            int c = slots[s] - 1, at = cardAt[c];
            if (keyLength(bytes, at) != length) continue;
            boolean same = true;
            for (int i = 0; i < length && same; i++) same = bytes[at + i] == key.charAt(i);
            if (same) return c;
        }
        return -1;
    }

    /** Adds card {@code card} (keyword at {@code at}) to the index; false when the keyword is already there. */
    private static boolean index(int[] slots, byte[] bytes, int at, int keyLength, int card, int[] cardAt) {
        int hash = 0;
        for (int i = 0; i < keyLength; i++) hash = 31 * hash + bytes[at + i]; // String.hashCode of the keyword
        int mask = slots.length - 1;
        int s = hash & mask;
        for (; slots[s] != 0; s = (s + 1) & mask) {
            int other = cardAt[slots[s] - 1];
            if (sameBytes(bytes, at, other, 8)) return false;
        }
        slots[s] = card + 1;
        return true;
    }

    private static boolean sameBytes(byte[] b, int x, int y, int length) {
        for (int i = 0; i < length; i++) if (b[x + i] != b[y + i]) return false;
        return true;
    }

    /** Length of the keyword in columns 1-8: upper-case letters, digits, '-' and '_', then blanks; -1 otherwise. */
    private static int keyLength(byte[] b, int at) {
        int n = 0;
        while (n < 8 && key(b[at + n])) n++;
        for (int i = n; i < 8; i++) if (b[at + i] != ' ') return -1;
        return n;
    }

    private static boolean key(byte c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static boolean commentary(byte[] b, int at, int keyLength) {
        if (keyLength == 0) return true;
        if (keyLength != 7) return false;
        return startsWith(b, at, "COMMENT") || startsWith(b, at, "HISTORY");
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) if (b[at + i] != s.charAt(i)) return false;
        return true;
    }

    private static boolean printable(byte[] b, int at) {
        for (int i = at; i < at + CARD; i++) if (b[i] < 0x20 || b[i] > 0x7E) return false;
        return true;
    }

    /** Index of the quote that closes a string starting at {@code from} ('' is a quote inside it), or -1. */
    private static int closingQuote(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] != '\'') continue;
            if (i + 1 < end && b[i + 1] == '\'') i++;
            else return i;
        }
        return -1;
    }

    /** Blanks, optionally followed by a '/' and a comment, up to {@code end}. */
    private static boolean restIsComment(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == '/') return true;
            if (b[i] != ' ') return false;
        }
        return true;
    }

    /** INTEGER, REAL or LOGICAL for an unquoted value, 0 for anything else (complex, hexadecimal, ...). */
    private static byte kind(byte[] b, int from, int to) {
        if (to - from == 1 && (b[from] == 'T' || b[from] == 'F')) return LOGICAL;
        int i = from;
        if (i < to && (b[i] == '+' || b[i] == '-')) i++;
        int digits = 0, fraction = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9') { i++; digits++; }
        if (i == to) return digits > 0 && digits <= MAX_LONG_DIGITS ? INTEGER : 0;
        if (b[i] == '.') {
            i++;
            while (i < to && b[i] >= '0' && b[i] <= '9') { i++; fraction++; }
        }
        if (digits == 0) return 0; // nom-tam-fits reads ".5" as no number: so does this
        if (i < to && (b[i] == 'E' || b[i] == 'e' || b[i] == 'D' || b[i] == 'd')) {
            i++;
            if (i < to && (b[i] == '+' || b[i] == '-')) i++;
            int exponent = 0;
            while (i < to && b[i] >= '0' && b[i] <= '9') { i++; exponent++; }
            if (exponent == 0 || exponent > 2) return 0; // nom-tam-fits refuses a header with 1D400: left to it
        }
        return i == to ? REAL : 0;
    }

    private String unquote(int c) {
        int from = valueFrom[c], to = valueTo[c];
        String s = ascii(from, to);
        return s.indexOf('\'') >= 0 ? s.replace("''", "'") : s;
    }

    private String ascii(int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
