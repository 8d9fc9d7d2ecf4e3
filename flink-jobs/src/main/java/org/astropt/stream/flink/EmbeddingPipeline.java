package org.astropt.stream.flink;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.astropt.stream.flink.functions.EmbedOperator;
import org.astropt.stream.flink.functions.TokenizeFunction;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenizedCutout;

/**
 * The topology, and only the topology:
 * <pre>
 *   cutouts -> decode/validate/tokenize --> tokens
 *                 |                  \--> embed (micro-batches; models broadcast in) --> embeddings, flags,
 *                 v                                                                    model status (REJECTED),
 *            dead letters                                                              embed dead letters
 * </pre>
 * The embed stage writes all four through one transactional sink (one Kafka transaction per checkpoint
 * for the stage rather than one per topic: fewer round trips in the checkpoint's synchronous part).
 * Sources and sinks come in from outside, so tests swap Kafka for collections and back.
 */
public final class EmbeddingPipeline {

    private final PipelineSettings settings;

    public EmbeddingPipeline(PipelineSettings settings) {
        this.settings = settings;
    }

    /**
     * TaskManager network buffers for this job: cluster settings, so they are in config/flink/config.yaml for a
     * real cluster and here for the local mini clusters (astropt pipeline, astropt demo, the benchmark).
     * A token sequence is ~49 KB (16 tokens of 768 floats) and spans two 32 KB network buffers, so Flink's
     * defaults (at most 10 buffers per channel, 8 floating per gate) let the tokenize task run only about five
     * sequences ahead of the embed task: while one micro-batch went through the model, tokenize stalled on
     * backpressure, and while tokenize refilled, the model idled. 128 buffers (4 MB) hold a few batches
     * (what that did to throughput: docs/BENCHMARKS.md, streaming pipeline). Buffers of 64 KB instead of 32 KB:
     * a sequence then spans two buffers half as often, and the embed task's deserializer copies it out of
     * them into one array half as often (embed task -10 us per 64x64 cutout in every pair measured, pipeline
     * median 264 -> 236 us; docs/BENCHMARKS.md, "Network buffers of 64 KB"); 8 MB per gate.
     */
    public static final Map<String, String> NETWORK_BUFFERS = Map.of(
            "taskmanager.memory.segment-size", "64kb",
            "taskmanager.network.memory.buffers-per-channel", "8",
            "taskmanager.network.memory.floating-buffers-per-gate", "128",
            "taskmanager.network.memory.max-buffers-per-channel", "128");

    /** The configuration of a local mini cluster for this job: {@link #NETWORK_BUFFERS}. */
    public static Configuration localClusterConfiguration() {
        return Configuration.fromMap(NETWORK_BUFFERS);
    }

    /**
     * The job settings every job of this project runs with (the pipeline, the backfill): no Kryo fallback, object
     * reuse, checkpoints (exactly-once, where pipeline.checkpoint-dir says), parallelism.
     */
    public void configure(StreamExecutionEnvironment env) {
        // A Kryo fallback is an error when the graph is built, not a slowdown in production. Object reuse:
        // no function here keeps or changes a record it was given (the embed operator buffers records, but
        // it is never chained: they reach it deserialized, new), so chained operators may hand records on
        // without the defensive copy of each ~50 KB FITS and token array that showed in profiles.
        env.configure(new Configuration()
                .set(PipelineOptions.GENERIC_TYPES, false)
                .set(PipelineOptions.OBJECT_REUSE, true));
        if (settings.checkpointDir() != null) {
            env.configure(new Configuration()
                    .set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem")
                    .set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpointDir()));
        }
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(settings.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
        }
        env.setParallelism(settings.parallelism());
    }

    public void build(StreamExecutionEnvironment env, PipelineSources sources, PipelineSinks sinks) {
        configure(env);

        SingleOutputStreamOperator<TokenizedCutout> tokenized = sources.cutouts(env)
                .process(new TokenizeFunction(settings.coreProperties()))
                .name("decode-tokenize").uid("decode-tokenize");
        tokenized.map(new TokenRecord()).name("token-records").uid("token-records")
                .sinkTo(sinks.tokens()).name("tokens-sink").uid("tokens-sink");

        DataStream<ModelPointer> models = sources.models(env);
        SingleOutputStreamOperator<KafkaBytes> embedded = tokenized
                .connect(models.broadcast())
                .transform("embed", TypeInformation.of(KafkaBytes.class), new EmbedOperator(settings.embed()))
                .uid("embed")
                .startNewChain(); // never chained to its input: it buffers records (see object reuse above)
        // embeddings, flags, REJECTED model records and embed dead letters: one sink, one transaction per checkpoint
        embedded.sinkTo(sinks.embedOutputs()).name("embed-outputs-sink").uid("embed-outputs-sink");
        tokenized.getSideOutput(TokenizeFunction.DEAD_LETTERS)
                .sinkTo(sinks.deadLetters()).name("dead-letter-sink").uid("dead-letter-sink");
    }

    /** A tokenized cutout as its astropt.tokens record, keyed by object id. */
    static final class TokenRecord implements MapFunction<TokenizedCutout, KafkaBytes> {
        @Override
        public KafkaBytes map(TokenizedCutout t) {
            return new KafkaBytes(t.id.getBytes(StandardCharsets.UTF_8), t.sequence, -1);
        }
    }
}
