package org.astropt.stream.flink;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.flink.functions.BackfillRecords;
import org.astropt.stream.flink.functions.EmbedOperator;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.ModelPointerDeserializer;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;

/**
 * The backfill: a bounded job that embeds every sequence of the compacted token topic, as it stood when the job
 * started, with one pinned model version, and writes the Embedding records to astropt.embeddings exactly once.
 * After a promotion it puts the whole catalogue into the new version's space, so the model server's index, map
 * and /similar cover it (docs/PIPELINE.md, "Backfill"). It is the pipeline's embed stage, not a second embedder:
 * the same {@link EmbedOperator}, whose model input is a one-record bounded stream carrying the version's
 * PROMOTED record (loaded and verified as the pipeline loads a version), and the same transactional Kafka sink,
 * under a transactional id of its own. {@link BackfillRecords} keeps only the Embedding records, each marked
 * {@code backfill=<name>:<version>} in its metadata; no Flags and no dead letters.
 * <pre>
 *   tokens (earliest .. end offsets at start) --> embed (pinned version) --> Embedding records --> embeddings
 * </pre>
 * On a Flink cluster:
 * <pre>
 *   flink run -c org.astropt.stream.flink.BackfillJob astropt-flink-jobs-job.jar \
 *       --bootstrap kafka:9092 --model astropt:4 [--config config/pipeline.properties] [--topics config/topics.properties]
 *       [--kafka-config config/kafka.properties]
 * </pre>
 * Locally, {@code astropt backfill --model astropt:4} runs it in a mini cluster; {@code astropt demo} runs one
 * after each promotion.
 */
public final class BackfillJob {

    /** Sequences held while the pinned version loads: enough to keep reading, bounded in memory (~50 KB each). */
    static final int MAX_WAITING = 1_000;

    private final PipelineSettings settings;

    public BackfillJob(PipelineSettings settings) {
        this.settings = settings;
    }

    /** The job's name for version v, e.g. {@code astropt backfill astropt:4}. */
    public static String jobName(ModelVersion v) {
        return "astropt backfill " + label(v);
    }

    /** {@code name:version}, the key of the version on the models topic. */
    public static String label(ModelVersion v) {
        return Topics.modelKey(v.getName(), v.getVersion());
    }

    /** The topology: sequences through the embed stage with the one pinned version, Embedding records to sink. */
    public void build(StreamExecutionEnvironment env, DataStream<TokenizedCutout> sequences, ModelVersion pinned, Sink<KafkaBytes> sink) {
        if (pinned.getStatus() != ModelStatus.PROMOTED) {
            throw new IllegalArgumentException(label(pinned) + " is " + pinned.getStatus() + "; only a PROMOTED version is backfilled");
        }
        new EmbeddingPipeline(settings).configure(env);
        // a backfill that fails is started again by whoever follows the models topic; a few quick tries here
        env.configure(new Configuration()
                .set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay")
                .set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3));
        byte[] record = AvroCodec.of(ModelVersion.class).encode(pinned);
        ModelPointer pointer = ModelPointerDeserializer.pointer(pinned, record);
        DataStream<ModelPointer> model = env.fromData(List.of(pointer), TypeInformation.of(ModelPointer.class))
                .name("pinned-model").uid("pinned-model").setParallelism(1);
        sequences.connect(model.broadcast())
                .transform("embed", TypeInformation.of(KafkaBytes.class),
                        new EmbedOperator(settings.embed().pinnedTo(pinned.getName(), MAX_WAITING)))
                .uid("embed")
                .startNewChain() // it buffers records: never chained to its input (EmbeddingPipeline, object reuse)
                .flatMap(new BackfillRecords(label(pinned))).name("backfill-records").uid("backfill-records")
                .sinkTo(sink).name("embeddings-sink").uid("embeddings-sink");
    }

    /** The job against the Kafka at bootstrap: the token topic's history in, embeddings out. */
    public void build(StreamExecutionEnvironment env, KafkaEdges kafka, ModelVersion pinned) {
        build(env, kafka.tokenHistory(env), pinned, kafka.backfillSink());
    }

    /** Embedding records written by a finished backfill. */
    public static long embedded(JobExecutionResult result) {
        Long n = result.getAccumulatorResult(BackfillRecords.EMBEDDED);
        return n == null ? 0 : n;
    }

    public static void main(String[] args) throws Exception {
        JobArguments a = JobArguments.parse(args, "model");
        String model = a.required("model", "NAME:VERSION");
        PipelineSettings settings = a.pipelineSettings();
        Topics topics = a.topics();
        KafkaClientSettings kafka = a.kafka();
        ModelVersion pinned = find(kafka, topics, model);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new BackfillJob(settings).build(env, new KafkaEdges(kafka, topics, settings), pinned);
        JobExecutionResult result = env.execute(jobName(pinned));
        System.out.println("backfill of " + label(pinned) + ": " + embedded(result) + " objects embedded");
    }

    /**
     * The latest record of {@code NAME:VERSION} on the models topic; an IllegalArgumentException of one line when
     * the text is not NAME:VERSION, the version is unknown, or its latest status is not PROMOTED.
     */
    public static ModelVersion find(KafkaClientSettings kafka, Topics topics, String nameAndVersion) {
        int colon = nameAndVersion.lastIndexOf(':');
        long version;
        try {
            if (colon < 1) throw new NumberFormatException();
            version = Long.parseLong(nameAndVersion.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--model " + nameAndVersion + ": not NAME:VERSION (e.g. astropt:4)");
        }
        String name = nameAndVersion.substring(0, colon);
        ModelVersion v = ModelRegistry.read(kafka, topics.name(Topics.MODELS)).version(name, version)
                .orElseThrow(() -> new IllegalArgumentException("--model " + nameAndVersion + ": no such version on "
                        + topics.name(Topics.MODELS) + "; `astropt models list` shows them"));
        if (v.getStatus() != ModelStatus.PROMOTED) {
            throw new IllegalArgumentException("--model " + nameAndVersion + " is " + v.getStatus() + "; only a PROMOTED version is backfilled");
        }
        return v;
    }
}
