package org.astropt.stream.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.kafka.KafkaClientSettings;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-config FILE}, beside {@code --bootstrap} in every command that talks to Kafka: the file of
 * {@code kafka.*} client keys (security.protocol, sasl.*, ssl.*: docs/PIPELINE.md "Secured Kafka") that every
 * producer, consumer and Flink source and sink of the command gets. Without the option, config/kafka.properties
 * when it exists, else PLAINTEXT.
 */
final class KafkaOptions {

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client settings: kafka.* keys (security.protocol, "
            + "sasl.*, ssl.*; docs/PIPELINE.md \"Secured Kafka\"). Default config/kafka.properties when present, else PLAINTEXT.")
    Path file;

    /** The file's settings: the named file (which must exist), or config/kafka.properties when present, or none. */
    SettingsFile settingsFile() {
        Path read = file != null ? file : KafkaClientSettings.DEFAULT_FILE;
        if (file != null && !Files.isRegularFile(file)) throw new IllegalArgumentException("--kafka-config " + file + ": no such file");
        try {
            return SettingsFile.readIfPresent(read);
        } catch (IOException e) {
            throw new UncheckedIOException(read + ": cannot read the Kafka settings (" + e.getMessage() + ")", e);
        }
    }

    /** How the command's clients connect to the brokers at bootstrap. */
    KafkaClientSettings connect(String bootstrap) {
        return KafkaClientSettings.of(bootstrap, settingsFile());
    }

    /** A service's own settings with the file's kafka.* keys laid over them (they win over the service file's). */
    SettingsFile over(SettingsFile service) {
        return service.with(keys(), String.valueOf(file != null ? file : KafkaClientSettings.DEFAULT_FILE));
    }

    /**
     * The file's kafka.* keys, prefix kept, to lay over a service's own settings (the trainer's, the server's),
     * where they win over kafka.* keys of that file.
     */
    Map<String, String> keys() {
        SettingsFile s = settingsFile();
        KafkaClientSettings.of("unused:0", s); // a bad value fails here, naming the file
        Map<String, String> out = new LinkedHashMap<>();
        s.withPrefix(KafkaClientSettings.PREFIX).forEach((k, v) -> out.put(KafkaClientSettings.PREFIX + k, v));
        return out;
    }
}
