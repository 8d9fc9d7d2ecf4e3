package org.astropt.stream.flink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.util.ParameterTool;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.Topics;

/**
 * The command line of a job submitted with {@code flink run} ({@link PipelineJob}, {@link BackfillJob}): the
 * options every job takes (--bootstrap, --config, --topics, --kafka-config) and the job's own, read with Flink's
 * {@link ParameterTool}. An option no job knows, or one given without its value, is an IllegalArgumentException of
 * one line listing the known ones.
 */
record JobArguments(ParameterTool options) {

    private static final List<String> COMMON = List.of("bootstrap", "config", "topics", "kafka-config");

    /** Reads args; own lists the job's options besides the common ones (e.g. "model"). */
    static JobArguments parse(String[] args, String... own) {
        Set<String> known = new LinkedHashSet<>(COMMON);
        known.addAll(List.of(own));
        ParameterTool options = ParameterTool.fromArgs(args);
        List<String> listed = new ArrayList<>();
        known.forEach(k -> listed.add("--" + k));
        for (String key : options.toMap().keySet()) {
            if (!known.contains(key)) throw new IllegalArgumentException("unknown option --" + key + "; use " + String.join(", ", listed));
            if (NoValue.KEY.equals(options.get(key))) {
                throw new IllegalArgumentException("--" + key + " needs a value");
            }
        }
        return new JobArguments(options);
    }

    /** What ParameterTool reads for an option given without a value (its constant is protected). */
    private abstract static class NoValue extends org.apache.flink.util.AbstractParameterTool {
        static final String KEY = NO_VALUE_KEY;
    }

    /** A required option's value; missing, an IllegalArgumentException saying what it should look like. */
    String required(String key, String example) {
        String v = options.get(key);
        if (v == null) throw new IllegalArgumentException("--" + key + " " + example + " is required");
        return v;
    }

    /** The Kafka connection: --bootstrap with the kafka.* keys of --kafka-config, or of config/kafka.properties when it exists. */
    KafkaClientSettings kafka() throws IOException {
        return PipelineJob.kafkaSettings(required("bootstrap", "HOST:PORT"), options.has("kafka-config") ? Path.of(options.get("kafka-config")) : null);
    }

    /** --config (default config/pipeline.properties; a missing file means the defaults in code). */
    Path config() { return Path.of(options.get("config", "config/pipeline.properties")); }

    /** --topics (default config/topics.properties; a missing file means the defaults in code). */
    Path topicsFile() { return Path.of(options.get("topics", "config/topics.properties")); }

    PipelineSettings pipelineSettings() throws IOException { return PipelineSettings.of(SettingsFile.readIfPresent(config())); }

    Topics topics() throws IOException { return Topics.of(SettingsFile.readIfPresent(topicsFile())); }
}
