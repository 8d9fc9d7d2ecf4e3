package org.astropt.stream.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.decode.AlertStamp;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.decode.DecodeLimits;
import picocli.CommandLine.Option;

/** Options shared by the commands that decode input: the settings file and the alert stamp. */
final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Settings file (see config/astropt.properties); defaults in code otherwise.")
    Path file;

    @Option(names = "--stamp", paramLabel = "STAMP",
            description = "Alert stamp that becomes the cutout: ${COMPLETION-CANDIDATES} (default: the config's, SCIENCE).")
    AlertStamp stamp;

    /** Read once per command: decoder() and the tokenizer settings both come from it. */
    private AstroptConfig loaded;

    AstroptConfig config() {
        if (loaded != null) return loaded;
        try {
            loaded = file == null ? AstroptConfig.defaults() : AstroptConfig.load(file);
            return loaded;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the settings file (" + e.getMessage() + ")", e);
        }
    }

    DecodeLimits limits() {
        DecodeLimits limits = config().decodeLimits();
        return stamp == null ? limits : limits.withAlertStamp(stamp);
    }

    CutoutDecoder decoder() {
        return new CutoutDecoder(limits());
    }
}
