package org.astropt.stream.core.decode;

import java.util.Map;
import nom.tam.fits.Header;

/**
 * The values of one FITS header that decoding reads: structure (BITPIX, NAXISn, ...), scaling, band
 * names, and the value cards that become metadata. Two readers give them: {@link PlainFitsHeader}, which
 * reads the cards in place for the plain headers cutouts have, and nom-tam-fits ({@link #of(Header)}) for
 * tile-compressed images and anything the plain reader declines. Getters follow nom-tam-fits: a missing
 * key gives the default; strings lose trailing blanks.
 */
interface FitsHeader {

    /** The string value of {@code key}, or null when the header has none. */
    String stringValue(String key);

    long longValue(String key, long missing);

    int intValue(String key, int missing);

    double doubleValue(String key, double missing);

    boolean booleanValue(String key, boolean missing);

    boolean containsKey(String key);

    /** Adds the value cards that become metadata ({@link FitsCards#isMetadata}) to {@code into}, keeping values already there. */
    void copyMetadataCards(Map<String, String> into);

    /** This header as nom-tam-fits holds it: for tile-compressed images only, which nom-tam-fits decodes. */
    Header nomTam();

    /** A header parsed by nom-tam-fits. */
    static FitsHeader of(Header h) {
        return new FitsHeader() {
            @Override public String stringValue(String key) { return h.getStringValue(key, null); }
            @Override public long longValue(String key, long missing) { return h.getLongValue(key, missing); }
            @Override public int intValue(String key, int missing) { return h.getIntValue(key, missing); }
            @Override public double doubleValue(String key, double missing) { return h.getDoubleValue(key, missing); }
            @Override public boolean booleanValue(String key, boolean missing) { return h.getBooleanValue(key, missing); }
            @Override public boolean containsKey(String key) { return h.containsKey(key); }
            @Override public void copyMetadataCards(Map<String, String> into) { FitsCards.copy(h, into); }
            @Override public Header nomTam() { return h; }
        };
    }
}
