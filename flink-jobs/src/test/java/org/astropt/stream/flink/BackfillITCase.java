package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.flink.functions.BackfillRecords;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.InProcessBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.TokenSequence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backfill on a Flink mini cluster against the in-process broker: every object of the token topic ends up
 * with exactly one committed Embedding of the pinned version, marked as backfilled; nothing else is written.
 */
class BackfillITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path dir;
    @RegisterExtension
    static final InProcessBroker kafka = new InProcessBroker();
    static ModelStore store;

    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);
    static final AvroCodec<TokenSequence> SEQUENCES = AvroCodec.of(TokenSequence.class);

    @BeforeAll
    static void openStore() {
        store = new ModelStore(dir.resolve("models"));
    }

    @Test
    void everyObjectOfTheTokenTopicGetsOneEmbeddingOfThePinnedVersion() throws Exception {
        try (PipelineFixture p = new PipelineFixture(kafka.broker(), "backfill")) {
            ModelVersion v1 = ModelStore.pointer("astropt-small", 1, store.save("astropt-small", 1), ModelStatus.PROMOTED);
            ModelVersion v2 = ModelStore.pointer("astropt-small", 2, store.save("astropt-small", 2), ModelStatus.PROMOTED);
            p.sendModel(v1);
            p.sendModel(v2);
            Set<String> objects = new HashSet<>();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                String tokens = p.topics.name(Topics.TOKENS);
                for (Cutout c : p.synthetic(31, 0, 40)) {
                    producer.send(new ProducerRecord<>(tokens, key(c.getId()), SEQUENCES.encode(sequence(c))));
                    objects.add(c.getId());
                }
                // a sequence of another layout (8 px patches: 192 values a token), which the pinned version cannot read
                TokenSequence alert = sequence(p.synthetic(32, 0, 1).get(0));
                alert.setId("alert-stamp");
                alert.setTokenDim(192);
                alert.setTokenCount(alert.getTokenCount() * 4);
                producer.send(new ProducerRecord<>(tokens, key("alert-stamp"), SEQUENCES.encode(alert)));
                producer.send(new ProducerRecord<>(tokens, key("deleted-object"), null)); // a tombstone
            }

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            PipelineSettings settings = p.settings(2);
            new BackfillJob(settings).build(env, new KafkaEdges(KafkaClientSettings.plaintext(kafka.bootstrapServers()), p.topics, settings), v2);
            JobExecutionResult result = env.execute("backfill test");

            assertEquals(40, BackfillJob.embedded(result), "Embedding records the job reports");
            List<ConsumerRecord<byte[], byte[]>> read = CommittedRecords.all(kafka.bootstrapServers(), p.topics.name(Topics.EMBEDDINGS), Duration.ofSeconds(30));
            Set<String> embedded = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : read) {
                Embedding e = EMBEDDINGS.decode(r.value());
                assertTrue(embedded.add(e.getId()), "embedded twice: " + e.getId());
                assertEquals(e.getId(), new String(r.key(), StandardCharsets.UTF_8));
                assertEquals("astropt-small", e.getModelName());
                assertEquals(2L, e.getModelVersion(), e.getId());
                assertEquals("astropt-small:2", e.getMetadata().get(BackfillRecords.METADATA_KEY), e.getId());
                assertEquals(ModelStore.SMALL.nEmbd(), e.getVector().size());
                assertTrue(e.getVector().stream().allMatch(Float::isFinite), e.getId());
            }
            assertEquals(objects, embedded, "objects embedded, read_committed");
            assertEquals(0, CommittedRecords.all(kafka.bootstrapServers(), p.topics.name(Topics.FLAGS), Duration.ofSeconds(10)).size(), "flags");
            assertEquals(0, CommittedRecords.all(kafka.bootstrapServers(), p.topics.name(Topics.DEAD_LETTER), Duration.ofSeconds(10)).size(), "dead letters");
            assertEquals(2, CommittedRecords.all(kafka.bootstrapServers(), p.topics.name(Topics.MODELS), Duration.ofSeconds(10)).size(),
                    "model records: the two published, no status from the backfill");
        }
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    /** The TokenSequence the pipeline's tokenize stage makes of a cutout. */
    private static TokenSequence sequence(Cutout c) {
        AstroptConfig config = AstroptConfig.of(new Properties());
        byte[] bytes = new byte[c.getImage().remaining()];
        c.getImage().duplicate().get(bytes);
        CutoutImage image = new CutoutDecoder(config.decodeLimits()).decode(c);
        var tokens = new PatchTokenizer(config.tokenizerSettings()).tokenize(c.getId(), image);
        return TokenRecords.sequence(c, image.metadata(), tokens, new SourceRecord(key(c.getId()), bytes, "cutouts", 0, 0, 0));
    }

}
