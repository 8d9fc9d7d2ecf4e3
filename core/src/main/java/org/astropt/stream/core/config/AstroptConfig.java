package org.astropt.stream.core.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;
import org.astropt.stream.core.decode.AlertStamp;
import org.astropt.stream.core.decode.DecodeLimits;
import org.astropt.stream.core.token.TokenizerSettings;

/**
 * The core settings (decode limits, tokenizer) of a settings file: {@code config/astropt.properties}
 * documents every key, and the decode.* and tokenizer.* keys may sit in any module's file. A missing key
 * keeps the default in code; an unknown value is an error naming the file and the key, so a typo never
 * silently falls back to a default.
 */
public final class AstroptConfig {

    private final SettingsFile settings;

    private AstroptConfig(SettingsFile settings) {
        this.settings = settings;
    }

    /** Every setting at its default. */
    public static AstroptConfig defaults() {
        return of(SettingsFile.defaults());
    }

    public static AstroptConfig load(Path file) throws IOException {
        return of(SettingsFile.read(file));
    }

    public static AstroptConfig of(Properties properties) {
        return of(SettingsFile.of(properties));
    }

    public static AstroptConfig of(SettingsFile settings) {
        return new AstroptConfig(settings);
    }

    /** Reads every key now, so a bad value fails when the settings are loaded (naming the file), not when first used. */
    public AstroptConfig checked() {
        decodeLimits();
        tokenizerSettings();
        alertTripletTokenizerSettings();
        return this;
    }

    public DecodeLimits decodeLimits() {
        DecodeLimits d = DecodeLimits.defaults();
        return settings.build(() -> new DecodeLimits(
                settings.longValue("decode.max-bytes", d.maxBytes()),
                settings.longValue("decode.max-pixels", d.maxPixels()),
                settings.intValue("decode.max-bands", d.maxBands()),
                settings.intValue("decode.max-hdus", d.maxHdus()),
                settings.longValue("decode.max-decompressed-bytes", d.maxDecompressedBytes()),
                settings.intValue("decode.max-header-cards", d.maxHeaderCards()),
                settings.intValue("decode.max-metadata-entries", d.maxMetadataEntries()),
                settings.enumValue("decode.alert-stamp", AlertStamp.class, d.alertStamp())));
    }

    public TokenizerSettings tokenizerSettings() {
        TokenizerSettings t = TokenizerSettings.defaults();
        return settings.build(() -> t.withPatchSize(settings.intValue("tokenizer.patch-size", t.patchSize()))
                .withSize(settings.has("tokenizer.size") ? (Integer) settings.intValue("tokenizer.size", 0) : t.size())
                .withMaxNanFraction(settings.doubleValue("tokenizer.max-nan-fraction", t.maxNanFraction())));
    }

    /**
     * How alert-triplet images are tokenized: {@code tokenizer.alert-triplet.patch-size} (default 8; it must
     * equal the alert model's config.json patch_size) and the same {@code tokenizer.max-nan-fraction}; the crop
     * follows the stamp ({@link org.astropt.stream.core.token.AlertTripletTokenizer}).
     */
    public TokenizerSettings alertTripletTokenizerSettings() {
        TokenizerSettings t = TokenizerSettings.defaults();
        return settings.build(() -> t.withPatchSize(settings.intValue("tokenizer.alert-triplet.patch-size",
                        org.astropt.stream.core.token.AlertTripletTokenizer.DEFAULT_PATCH_SIZE))
                .withMaxNanFraction(settings.doubleValue("tokenizer.max-nan-fraction", t.maxNanFraction())));
    }

    /**
     * Where the writer schemas of Confluent-framed (Rubin) alerts come from: {@code decode.schema-registry.url}
     * (the Confluent REST API, {@link org.astropt.stream.core.decode.RegistryAlertSchemas}; with
     * {@code decode.schema-registry.user-info} = user:password for basic authentication), falling back to
     * {@code decode.schema-folder} ({@code <id>.avsc} files); neither set: none, and such alerts dead-letter
     * saying the schema id is unknown.
     */
    public org.astropt.stream.core.decode.AlertSchemas alertSchemas() {
        String folder = settings.string("decode.schema-folder", null);
        var fromFolder = folder == null ? org.astropt.stream.core.decode.AlertSchemas.none()
                : org.astropt.stream.core.decode.AlertSchemas.folder(java.nio.file.Path.of(folder));
        String url = settings.string("decode.schema-registry.url", null);
        if (url == null) return fromFolder;
        return new org.astropt.stream.core.decode.RegistryAlertSchemas(url, settings.string("decode.schema-registry.user-info", null),
                fromFolder, settings.duration("decode.schema-registry.timeout", java.time.Duration.ofSeconds(10)));
    }
}
