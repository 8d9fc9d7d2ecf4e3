package org.astropt.stream.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.core.decode.AlertSchemas;
import org.astropt.stream.core.decode.AlertStamp;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.decode.DecodeLimits;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that decode input: the settings file and the alert stamp. {@code --config}
 * means the settings file in every command; here it has no default file (defaults in code) and must exist
 * when given.
 */
final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Settings file: decode.* and tokenizer.* keys (see config/astropt.properties); defaults in code otherwise.")
    Path file;

    @Option(names = "--stamp", paramLabel = "STAMP",
            description = "Alert stamp that becomes the cutout: ${COMPLETION-CANDIDATES} (default: the settings', SCIENCE).")
    AlertStamp stamp;

    /** Read once per command: decoder() and the tokenizer settings both come from it. */
    private AstroptConfig loaded;

    /** Options of a command whose settings come from elsewhere (train's trainer settings file). */
    static ConfigOptions of(SettingsFile settings, AlertStamp stamp) {
        ConfigOptions o = new ConfigOptions();
        o.loaded = AstroptConfig.of(settings);
        o.stamp = stamp;
        return o;
    }

    AstroptConfig config() {
        if (loaded != null) return loaded;
        try {
            loaded = AstroptConfig.of(file == null ? SettingsFile.defaults() : SettingsFile.read(file));
            return loaded;
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(file + ": no such settings file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the settings file (" + e.getMessage() + ")", e);
        }
    }

    DecodeLimits limits() {
        DecodeLimits limits = config().decodeLimits();
        return stamp == null ? limits : limits.withAlertStamp(stamp);
    }

    /** The decoder of the settings: their limits and stamp, and their alert schemas (decode.schema-registry.*, decode.schema-folder). */
    CutoutDecoder decoder() {
        return new CutoutDecoder(limits(), config().alertSchemas());
    }

    /**
     * The decoder of the settings, whose Confluent-framed (Rubin) alerts also find their writer schema in the
     * {@code schemas/} folder of each given input folder, where {@code astropt simulate-alerts} writes it.
     */
    CutoutDecoder decoder(Collection<Path> inputFolders) {
        AlertSchemas schemas = config().alertSchemas();
        for (Path folder : new LinkedHashSet<>(inputFolders)) {
            Path beside = folder.resolve("schemas");
            if (Files.isDirectory(beside)) schemas = schemas.orElse(AlertSchemas.folder(beside));
        }
        return new CutoutDecoder(limits(), schemas);
    }
}
