package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.LocalTls;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against a broker that requires SASL_SSL, as the alert brokers do: the in-process broker with a
 * SASL_SSL listener (SCRAM-SHA-512, a CA and broker certificate made here with keytool), the job's sources and
 * sinks, the producer and the reader connecting with the kafka.* keys of a kafka.properties file; a client with a
 * wrong password is refused with an authentication error, not left to time out.
 */
class SecuredKafkaPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);

    @Test
    void thePipelineEmbedsThroughSaslSslAndAWrongPasswordIsRefused(@TempDir Path dir) throws Exception {
        LocalTls tls = LocalTls.create(dir.resolve("tls"), "store-pw");
        try (LocalKafkaBroker kafka = LocalKafkaBroker.startSecured(dir.resolve("kafka"), Topics.defaults().withPrefix("unused."),
                tls, Map.of("astropt", "astropt-pw"))) {
            // the settings as a user writes them: a kafka.properties file, read as the commands read --kafka-config
            Path file = dir.resolve("kafka.properties");
            Properties keys = kafka.securedClientProperties("astropt", "astropt-pw");
            try (var out = Files.newBufferedWriter(file)) {
                keys.store(out, "SASL_SSL to the test broker");
            }
            KafkaClientSettings client = PipelineJob.kafkaSettings(kafka.securedBootstrapServers(), file);
            assertTrue(client.secured());
            assertTrue(!client.toString().contains("astropt-pw") && !client.toString().contains("store-pw"), client.toString());

            try (PipelineFixture p = new PipelineFixture(kafka, "secured", client)) {
                p.sendModel(ModelStore.pointer("astropt-small", 1, new ModelStore(dir.resolve("models")).save("astropt-small", 1),
                        ModelStatus.PROMOTED));
                List<Cutout> cutouts = p.synthetic(31, 0, 40);
                p.start(p.settings(1));
                p.sendCutouts(cutouts);

                List<ConsumerRecord<byte[], byte[]>> read = p.committed(Topics.EMBEDDINGS, 40, Duration.ofSeconds(60));
                Set<String> ids = new HashSet<>();
                for (ConsumerRecord<byte[], byte[]> r : read) {
                    Embedding e = EMBEDDINGS.decode(r.value());
                    assertTrue(ids.add(e.getId()), "id twice: " + e.getId());
                    assertEquals(ModelStore.SMALL.nEmbd(), e.getVector().size());
                }
                Set<String> sent = new HashSet<>();
                cutouts.forEach(c -> sent.add(c.getId()));
                assertEquals(sent, ids, "every cutout embedded once, through the SASL_SSL listener");

                // the same settings with a wrong password: refused at once by the broker
                KafkaClientSettings wrong = kafka.securedClient("astropt", "not-the-password");
                long start = System.nanoTime();
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(wrong.config(Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, "intruder", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(p.topics.name(Topics.EMBEDDINGS)));
                    Exception e = assertThrows(Exception.class, () -> consumer.poll(Duration.ofSeconds(20)));
                    assertInstanceOf(SaslAuthenticationException.class, e, String.valueOf(e));
                }
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos(), "refusal took more than 15 s");
            }
        }
    }
}
