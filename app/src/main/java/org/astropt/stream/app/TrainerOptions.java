package org.astropt.stream.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.trainer.TrainerSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of the commands that talk to the trainer's Kafka and model store: train --bootstrap and models. */
final class TrainerOptions {

    @Option(names = "--config", defaultValue = "config/trainer.properties", paramLabel = "FILE",
            description = "Settings file: trainer.* keys, and decode.* and tokenizer.* for train "
                    + "(default ${DEFAULT-VALUE}; defaults in code when absent).")
    Path file;

    @Option(names = "--topics", defaultValue = "config/topics.properties", paramLabel = "FILE",
            description = "Topic names (default ${DEFAULT-VALUE}; defaults in code when absent).")
    Path topics;

    @Option(names = "--store", paramLabel = "URI", description = "Model store (default: trainer.model-store, file:data/models).")
    String store;

    @Option(names = "--model-name", paramLabel = "NAME", description = "Model name on the models topic (default: trainer.model-name, astropt).")
    String modelName;

    @Option(names = "--state", paramLabel = "DIR", description = "Trainer state folder (default: trainer.state-dir, data/trainer).")
    String state;

    @Mixin
    KafkaOptions kafka;

    /** The settings file (or the defaults in code when it is absent), with the kafka.* keys of --kafka-config laid over. */
    SettingsFile settingsFile() throws IOException {
        return kafka.over(SettingsFile.readIfPresent(file));
    }

    /** The settings file with bootstrap and these options (and extra, e.g. train's) laid over it. */
    TrainerSettings settings(String bootstrap, Map<String, String> extra) throws IOException {
        Map<String, String> overrides = new LinkedHashMap<>(extra);
        overrides.put("trainer.bootstrap-servers", bootstrap);
        overrides.put("trainer.model-store", store);
        overrides.put("trainer.model-name", modelName);
        overrides.put("trainer.state-dir", state);
        return TrainerSettings.of(settingsFile().with(overrides, SettingsFile.COMMAND_LINE));
    }

    Topics topics() throws IOException {
        return Topics.of(SettingsFile.readIfPresent(topics));
    }
}
