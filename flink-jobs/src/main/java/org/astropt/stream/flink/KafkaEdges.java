package org.astropt.stream.flink;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.KafkaBytesSerializer;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.ModelPointerDeserializer;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.SourceRecordDeserializer;
import org.astropt.stream.flink.records.TokenRecordDeserializer;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.Topics;

/**
 * The pipeline's Kafka sources and sinks. Every reader uses read_committed; every sink is
 * EXACTLY_ONCE with a transactional id prefix of its own ({@code <prefix>-<role>}) and a transaction
 * timeout inside the broker's maximum. Every source and sink connects with the same {@link KafkaClientSettings}
 * (bootstrap servers and the kafka.* keys: SASL, TLS), through {@link #source()} and {@link #sinkWithIds}.
 */
public final class KafkaEdges implements PipelineSources {

    /** Largest record the pipeline writes: the max.message.bytes of the cutouts, tokens and dead-letter topics. */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    /**
     * The sinks' {@code batch.size} unless pipeline.producer.batch.size says otherwise: 1 MB, where Kafka's default
     * is 16 KB. A 64x64 grz cutout's token record is 49 KB, so under the default every record was a batch, a
     * produce request and a wake-up of the producer's network thread of its own, and its buffer a fresh, zeroed
     * array; with 1 MB, about twenty records share a batch in a pooled buffer. Measured in the pipeline benchmark
     * (docs/BENCHMARKS.md, issue 15): the tokens producer's network thread -55% and the broker -40% per cutout,
     * the pipeline's CPU per cutout about -20% (medians of six runs against eight). A batch still leaves after
     * linger.ms (Kafka's 5 ms) when it is not full.
     */
    public static final int SINK_BATCH_BYTES = 1024 * 1024;

    /**
     * The record sources' {@code receive.buffer.bytes} unless set: -1, the operating system's socket buffer, which
     * Linux grows with the traffic, where Kafka's consumer fixes 64 KB (and so turns the growth off): fetches of
     * 49 KB and 786 KB cutouts were read through it in many small reads. Measured in the pipeline benchmark
     * (docs/BENCHMARKS.md, issue 15), per thread: the cutouts source's fetcher -35 to -50% per 256x256 cutout, -20
     * to -40% per 64x64 one.
     */
    public static final int SOURCE_RECEIVE_BUFFER_BYTES = -1;

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final PipelineSettings settings;

    public KafkaEdges(KafkaClientSettings kafka, Topics topics, PipelineSettings settings) {
        this.kafka = kafka;
        this.topics = topics;
        this.settings = settings;
    }

    /**
     * Every input of {@code pipeline.inputs} (the cutouts topic by default) through one source: a list of topics,
     * or one pattern when an input is a pattern (new matching topics are found every
     * {@code pipeline.partition-discovery-ms}); each record is marked with its input's format.
     */
    @Override
    public DataStream<SourceRecord> cutouts(StreamExecutionEnvironment env) {
        PipelineInputs inputs = settings.inputs(topics.name(Topics.CUTOUTS));
        var builder = this.<SourceRecord>source();
        if (inputs.literal()) builder.setTopics(inputs.topics());
        else builder.setTopicPattern(inputs.subscription());
        KafkaSource<SourceRecord> source = builder
                .setGroupId(settings.groupId())
                .setProperty("partition.discovery.interval.ms", String.valueOf(settings.partitionDiscoveryMs()))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new SourceRecordDeserializer(inputs))
                .setProperty("isolation.level", "read_committed")
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "cutouts").uid("cutouts-source");
    }

    /** The whole compacted history from the start: the operator keeps the newest PROMOTED version. */
    @Override
    public DataStream<ModelPointer> models(StreamExecutionEnvironment env) {
        KafkaSource<ModelPointer> source = KafkaSource.<ModelPointer>builder().setProperties(kafka.properties())
                .setTopics(topics.name(Topics.MODELS))
                .setGroupId(settings.groupId() + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelPointerDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "models").uid("models-source").setParallelism(1);
    }

    /**
     * The backfill's input: the compacted token topic from its earliest offsets to its end offsets when the
     * job starts (bounded), read_committed, so the source ends once it has read what the topic held then.
     */
    public DataStream<TokenizedCutout> tokenHistory(StreamExecutionEnvironment env) {
        KafkaSource<TokenizedCutout> source = this.<TokenizedCutout>source()
                .setTopics(topics.name(Topics.TOKENS))
                .setGroupId(settings.groupId() + "-backfill")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new TokenRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "false") // a backfill always starts from the beginning
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "token-history").uid("token-history-source");
    }

    /**
     * The backfill's sink: Embedding records to astropt.embeddings, exactly once, under its own transactional
     * id prefix ({@code <prefix>-backfill}); every backfill uses the same one, so a backfill that was cancelled
     * has its open transactions aborted by the next one.
     */
    public KafkaSink<KafkaBytes> backfillSink() {
        return sinkWithIds("backfill", Topics.EMBEDDINGS);
    }

    /**
     * A source builder of records (cutouts, token history) connected as every client of the pipeline is (bootstrap
     * servers and kafka.* settings), with the pipeline.consumer.* settings over them.
     */
    public <T> KafkaSourceBuilder<T> source() {
        return KafkaSource.<T>builder().setProperties(consumerProperties());
    }

    /**
     * The record sources' consumer settings: {@link #SOURCE_RECEIVE_BUFFER_BYTES}, the connection's kafka.* keys,
     * then pipeline.consumer.* over them. The models source takes the connection's alone: a fetch.min.bytes with a
     * short fetch.max.wait.ms, right for a busy cutouts topic, would make it poll an idle topic fifty times a second.
     */
    Properties consumerProperties() {
        return layered("receive.buffer.bytes", SOURCE_RECEIVE_BUFFER_BYTES, settings.consumerOverrides());
    }

    /**
     * The sinks' producer settings: {@link #SINK_BATCH_BYTES} batches, the connection's kafka.* keys, then
     * pipeline.producer.* over them (the transactional settings are the sink's own, set after these).
     */
    Properties producerProperties() {
        return layered("batch.size", SINK_BATCH_BYTES, settings.producerOverrides());
    }

    /** Our default for one key, the connection's kafka.* keys over it, the pipeline's overrides over both. */
    private Properties layered(String key, int ourDefault, Properties overrides) {
        Properties p = new Properties();
        p.setProperty(key, String.valueOf(ourDefault));
        p.putAll(kafka.properties());
        p.putAll(overrides);
        return p;
    }

    public PipelineSinks sinks() {
        return new PipelineSinks(sink(Topics.TOKENS), sink(Topics.EMBEDDINGS, Topics.FLAGS, Topics.MODELS, Topics.DEAD_LETTER),
                sink(Topics.DEAD_LETTER));
    }

    /** A sink to the topic of role, and to the topics of the other roles for records that name one. */
    private KafkaSink<KafkaBytes> sink(String role, String... others) {
        return sinkWithIds(role, role, others);
    }

    /** {@link #sink}, its transactional ids {@code <prefix>-<idSuffix>-...}. */
    private KafkaSink<KafkaBytes> sinkWithIds(String idSuffix, String role, String... others) {
        Map<String, String> byRole = new HashMap<>();
        for (String other : others) byRole.put(other, topics.name(other));
        return KafkaSink.<KafkaBytes>builder()
                .setKafkaProducerConfig(producerProperties())
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new KafkaBytesSerializer(topics.name(role), byRole))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + idSuffix)
                .setProperty("transaction.timeout.ms", String.valueOf(settings.transactionTimeoutMs()))
                // tokens of a big cutout, and dead letters with its bytes, pass the 1 MB default (config/topics.properties)
                .setProperty("max.request.size", String.valueOf(MAX_RECORD_BYTES))
                .build();
    }
}
