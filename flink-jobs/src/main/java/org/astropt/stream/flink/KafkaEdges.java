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
        KafkaSource<ModelPointer> source = this.<ModelPointer>source()
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

    /** A source builder connected as every client of the pipeline is: bootstrap servers and kafka.* settings. */
    public <T> KafkaSourceBuilder<T> source() {
        return KafkaSource.<T>builder().setProperties(kafka.properties());
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
        Properties producer = kafka.properties(); // pipeline.producer.* keys are laid over the connection's
        producer.putAll(settings.producerOverrides());
        return KafkaSink.<KafkaBytes>builder()
                .setKafkaProducerConfig(producer)
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
