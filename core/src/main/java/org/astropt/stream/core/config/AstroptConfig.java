package org.astropt.stream.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.astropt.stream.core.decode.AlertStamp;
import org.astropt.stream.core.decode.DecodeLimits;
import org.astropt.stream.core.token.TokenizerSettings;

/**
 * The project's settings as one properties file ({@code config/astropt.properties} documents every
 * key). A missing key keeps the default in code; an unknown value is an error naming the key, so a
 * typo never silently falls back to a default.
 */
public final class AstroptConfig {

    private final Properties properties;
    private final String source;

    private AstroptConfig(Properties properties, String source) {
        this.properties = properties;
        this.source = source;
    }

    /** Every setting at its default. */
    public static AstroptConfig defaults() {
        return new AstroptConfig(new Properties(), "defaults");
    }

    public static AstroptConfig load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return new AstroptConfig(p, file.toString());
    }

    public static AstroptConfig of(Properties properties) {
        return new AstroptConfig((Properties) properties.clone(), "properties");
    }

    public DecodeLimits decodeLimits() {
        DecodeLimits d = DecodeLimits.defaults();
        return new DecodeLimits(
                longValue("decode.max-bytes", d.maxBytes()),
                longValue("decode.max-pixels", d.maxPixels()),
                intValue("decode.max-bands", d.maxBands()),
                intValue("decode.max-hdus", d.maxHdus()),
                longValue("decode.max-decompressed-bytes", d.maxDecompressedBytes()),
                intValue("decode.max-header-cards", d.maxHeaderCards()),
                intValue("decode.max-metadata-entries", d.maxMetadataEntries()),
                alertStamp());
    }

    public TokenizerSettings tokenizerSettings() {
        TokenizerSettings t = TokenizerSettings.defaults();
        String size = value("tokenizer.size");
        return t.withPatchSize(intValue("tokenizer.patch-size", t.patchSize()))
                .withSize(size == null ? t.size() : (Integer) intValue("tokenizer.size", 0))
                .withMaxNanFraction(doubleValue("tokenizer.max-nan-fraction", t.maxNanFraction()));
    }

    private AlertStamp alertStamp() {
        String v = value("decode.alert-stamp");
        if (v == null) return AlertStamp.SCIENCE;
        try {
            return AlertStamp.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("decode.alert-stamp", v, "one of SCIENCE, TEMPLATE, DIFFERENCE");
        }
    }

    /** The trimmed value, or null when the key is absent or empty. */
    private String value(String key) {
        String v = properties.getProperty(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private long longValue(String key, long fallback) {
        String v = value(key);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "a whole number");
        }
    }

    private int intValue(String key, int fallback) {
        long v = longValue(key, fallback);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw bad(key, String.valueOf(v), "a 32-bit integer");
        return (int) v;
    }

    private double doubleValue(String key, double fallback) {
        String v = value(key);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "a number");
        }
    }

    private IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException(source + ": " + key + " = '" + value + "' is not " + expected);
    }
}
