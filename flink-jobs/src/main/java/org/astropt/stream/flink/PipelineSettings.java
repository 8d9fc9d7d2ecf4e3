package org.astropt.stream.flink;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Properties;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.core.token.TokenPacking;
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

    /** A checkpoint folder that serves until the first PROMOTED version arrives (was pipeline.bootstrap-model). */
    public static final String INITIAL_MODEL = "pipeline.initial-model";
    /** The surprise-quantile flag's keys, gone with it (issue 13): set, they are an error rather than silently ignored. */
    static final java.util.List<String> REMOVED_FLAG_KEYS = java.util.List.of("pipeline.flag-quantile", "pipeline.flag-window",
            "pipeline.flag-min-scores");

    public static PipelineSettings defaults() {
        return of(SettingsFile.defaults());
    }

    public static PipelineSettings load(Path file) throws IOException {
        return of(SettingsFile.read(file));
    }

    public static PipelineSettings of(Properties p) {
        return of(SettingsFile.of(p));
    }

    /** The keys of config/pipeline.properties and their defaults. */
    public static PipelineSettings of(SettingsFile s) {
        s.refuseRenamed("pipeline.bootstrap-model", INITIAL_MODEL);
        for (String key : REMOVED_FLAG_KEYS) {
            s.refuseRemoved(key, "flags come from the score heads each model version ships (ScoreHeads, docs/PIPELINE.md), with"
                    + " thresholds chosen by the trainer; remove the key");
        }
        AstroptConfig.of(s).checked(); // a bad decode.* or tokenizer.* value fails here, naming the file, not in a task
        s.build(() -> PipelineInputs.parse(s.string(INPUTS, null), "astropt.cutouts")); // and a bad pipeline.inputs
        s.build(() -> tokenPrecision(s.properties())); // and a bad pipeline.token-dtype
        EmbedSettings d = EmbedSettings.defaults();
        int batch = s.intValue("pipeline.batch-size", d.batchSize());
        EmbedSettings embed = s.build(() -> new EmbedSettings(
                batch,
                s.longValue("pipeline.batch-delay-ms", d.batchDelayMs()),
                s.intValue("pipeline.forward-batch-size", batch),
                modelNames(s),
                s.string(INITIAL_MODEL, null),
                s.intValue("pipeline.max-waiting", d.maxWaiting()),
                true,
                s.intValue("pipeline.inference-in-flight", d.inFlight())));
        return new PipelineSettings(
                s.intValue("pipeline.parallelism", 1),
                s.longValue("pipeline.checkpoint-interval-ms", 1000),
                s.longValue("pipeline.transaction-timeout-ms", 600_000),
                s.string("pipeline.transactional-id-prefix", "astropt-pipeline"),
                s.string("pipeline.group-id", "astropt-pipeline"),
                embed,
                s.properties());
    }

    /**
     * The models served: {@code pipeline.model-names} (several, comma-separated) or {@code pipeline.model-name}
     * (one); neither: every name on the models topic. Both set is an error naming the two keys.
     */
    private static String modelNames(SettingsFile s) {
        String one = blankAsNull(s.string("pipeline.model-name", null)), several = blankAsNull(s.string("pipeline.model-names", null));
        if (one != null && several != null) {
            throw new IllegalArgumentException("pipeline.model-name and pipeline.model-names are both set: keep one"
                    + " (pipeline.model-names lists several names, comma-separated)");
        }
        return several != null ? several : one;
    }

    private static String blankAsNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }

    /** {@code pipeline.inputs}: the topics read and their formats ({@link PipelineInputs}). */
    public static final String INPUTS = "pipeline.inputs";

    /** The inputs ({@code pipeline.inputs}); unset: {@code cutoutsTopic} in the cutout format. */
    public PipelineInputs inputs(String cutoutsTopic) {
        SettingsFile s = SettingsFile.of(coreProperties);
        return s.build(() -> PipelineInputs.parse(s.string(INPUTS, null), cutoutsTopic));
    }

    /** {@code pipeline.token-dtype}: how the tokens topic carries token values. */
    public static final String TOKEN_DTYPE = "pipeline.token-dtype";

    /**
     * {@code pipeline.token-dtype}: float32 (the default: exact) or float16 (half the bytes on the tokens topic and
     * between the stages; embeddings match float32 ones to about 1e-4, TokenDtypeParityTest). Not the default because
     * float16 rounding ties values that float32 keeps apart, and the score heads read tied values (HeadFeatures'
     * tokens.*_tied): heads fitted on float32 tokens would flag differently. Every reader of the tokens topic reads
     * both ({@code TokenSequences}).
     */
    public static TokenPacking.Precision tokenPrecision(Properties p) {
        return TokenPacking.Precision.of(SettingsFile.of(p).string(TOKEN_DTYPE, "float32"), TOKEN_DTYPE);
    }

    /** {@code pipeline.partition-discovery-ms}: how often the source looks for new partitions and new topics of a pattern (60000). */
    public long partitionDiscoveryMs() {
        return SettingsFile.of(coreProperties).longValue("pipeline.partition-discovery-ms", 60_000);
    }

    /**
     * {@code pipeline.checkpoint-dir}: where checkpoints go (a file:// folder, or any Flink file system URI);
     * null leaves it to the cluster's configuration (a mini cluster then keeps them in JobManager memory,
     * limited to 5 MB: too small once token sequences wait in state for a first model).
     */
    public String checkpointDir() {
        return SettingsFile.of(coreProperties).string("pipeline.checkpoint-dir", null);
    }

    /**
     * Kafka producer settings for the pipeline's sinks: every {@code pipeline.producer.<key>=<value>} becomes
     * {@code <key>=<value>} (batch.size, linger.ms, compression.type...). The transactional settings stay the sink's.
     */
    public Properties producerOverrides() {
        return keysUnder("pipeline.producer.");
    }

    /**
     * Kafka consumer settings for the pipeline's sources, as {@link #producerOverrides} for the sinks: every
     * {@code pipeline.consumer.<key>=<value>} becomes {@code <key>=<value>} (fetch.min.bytes, fetch.max.wait.ms...).
     * The source's own settings (group, isolation level, offsets) stay the source's.
     */
    public Properties consumerOverrides() {
        return keysUnder("pipeline.consumer.");
    }

    /** The settings under prefix, the prefix taken off their keys: a Kafka client's configuration. */
    private Properties keysUnder(String prefix) {
        Properties out = new Properties();
        out.putAll(SettingsFile.of(coreProperties).withPrefix(prefix));
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
}
