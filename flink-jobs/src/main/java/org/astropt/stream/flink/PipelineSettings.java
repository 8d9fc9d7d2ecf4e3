package org.astropt.stream.flink;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.astropt.stream.flink.functions.EmbedSettings;

/**
 * The pipeline's settings (config/pipeline.properties documents every key; each has the default
 * below). The whole properties set also reaches core (decode limits, tokenizer) through
 * {@link #coreProperties()}.
 *
 * @param parallelism           subtasks per operator; one per core (or GPU) of a TaskManager
 * @param checkpointIntervalMs  exactly-once output becomes visible at each checkpoint, so this bounds latency
 * @param transactionTimeoutMs  KafkaSink transaction timeout; must stay under the broker's transaction.max.timeout.ms (15 min by default)
 * @param transactionalIdPrefix unique per pipeline on one Kafka cluster, or two jobs fence each other's transactions
 * @param groupId               consumer group of the cutouts source (offsets also live in Flink's checkpoints)
 */
public record PipelineSettings(int parallelism, long checkpointIntervalMs, long transactionTimeoutMs,
        String transactionalIdPrefix, String groupId, EmbedSettings embed, Properties coreProperties) implements Serializable {

    public static PipelineSettings defaults() {
        return of(new Properties());
    }

    public static PipelineSettings load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return of(p);
    }

    public static PipelineSettings of(Properties p) {
        EmbedSettings d = EmbedSettings.defaults();
        int batch = intValue(p, "pipeline.batch-size", d.batchSize());
        EmbedSettings embed = new EmbedSettings(
                batch,
                longValue(p, "pipeline.batch-delay-ms", d.batchDelayMs()),
                intValue(p, "pipeline.forward-batch-size", batch),
                value(p, "pipeline.model-name", null),
                value(p, "pipeline.bootstrap-model", null),
                intValue(p, "pipeline.max-waiting", d.maxWaiting()),
                Double.parseDouble(value(p, "pipeline.flag-quantile", String.valueOf(d.flagQuantile()))),
                intValue(p, "pipeline.flag-window", d.flagWindow()),
                intValue(p, "pipeline.flag-min-scores", d.flagMinScores()),
                true,
                intValue(p, "pipeline.inference-in-flight", d.inFlight()));
        return new PipelineSettings(
                intValue(p, "pipeline.parallelism", 1),
                longValue(p, "pipeline.checkpoint-interval-ms", 1000),
                longValue(p, "pipeline.transaction-timeout-ms", 600_000),
                value(p, "pipeline.transactional-id-prefix", "astropt-pipeline"),
                value(p, "pipeline.group-id", "astropt-pipeline"),
                embed,
                (Properties) p.clone());
    }

    /**
     * {@code pipeline.checkpoint-dir}: where checkpoints go (a file:// folder, or any Flink file system URI);
     * null leaves it to the cluster's configuration (a mini cluster then keeps them in JobManager memory,
     * limited to 5 MB: too small once token sequences wait in state for a first model).
     */
    public String checkpointDir() {
        return value(coreProperties, "pipeline.checkpoint-dir", null);
    }

    /**
     * Kafka producer settings for the pipeline's sinks: every {@code pipeline.producer.<key>=<value>} becomes
     * {@code <key>=<value>} (batch.size, linger.ms, compression.type...). The transactional settings stay the sink's.
     */
    public Properties producerOverrides() {
        Properties out = new Properties();
        String prefix = "pipeline.producer.";
        for (String key : coreProperties.stringPropertyNames()) {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                out.setProperty(key.substring(prefix.length()), coreProperties.getProperty(key).trim());
            }
        }
        return out;
    }

    public PipelineSettings withEmbed(EmbedSettings e) {
        return new PipelineSettings(parallelism, checkpointIntervalMs, transactionTimeoutMs, transactionalIdPrefix, groupId, e, coreProperties);
    }

    public PipelineSettings withParallelism(int n) {
        return new PipelineSettings(n, checkpointIntervalMs, transactionTimeoutMs, transactionalIdPrefix, groupId, embed, coreProperties);
    }

    public PipelineSettings withCheckpointInterval(long ms) {
        return new PipelineSettings(parallelism, ms, transactionTimeoutMs, transactionalIdPrefix, groupId, embed, coreProperties);
    }

    public PipelineSettings withIds(String transactionalIdPrefix, String groupId) {
        return new PipelineSettings(parallelism, checkpointIntervalMs, transactionTimeoutMs, transactionalIdPrefix, groupId, embed, coreProperties);
    }

    private static String value(Properties p, String key, String fallback) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static long longValue(Properties p, String key, long fallback) {
        String v = value(p, key, null);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a whole number");
        }
    }

    private static int intValue(Properties p, String key, int fallback) {
        return Math.toIntExact(longValue(p, key, fallback));
    }
}
