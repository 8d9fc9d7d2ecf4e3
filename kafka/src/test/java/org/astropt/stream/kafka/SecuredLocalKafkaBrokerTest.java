package org.astropt.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process broker's SASL_SSL listener (certificates made here by keytool): the project's clients get in with
 * the right kafka.* settings; a wrong password or an untrusted certificate is an authentication error within
 * seconds, and a client without TLS and SASL gets nothing.
 */
class SecuredLocalKafkaBrokerTest {

    @TempDir
    static Path dir;
    static LocalKafkaBroker kafka;

    @BeforeAll
    static void start() throws Exception {
        LocalTls tls = LocalTls.create(dir.resolve("tls"), "test-store-pw");
        kafka = LocalKafkaBroker.startSecured(dir.resolve("kafka"), Topics.defaults(), tls, Map.of("alice", "alice-pw"));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    @Test
    void theRightCredentialsWriteAndReadThroughSaslSsl() {
        KafkaClientSettings alice = kafka.securedClient("alice", "alice-pw");
        String topic = Topics.defaults().name(Topics.MODELS);
        try (TransactionalWriter w = new TransactionalWriter(alice, "secured-test")) {
            w.write(List.of(new ProducerRecord<>(topic, bytes("k"), bytes("over TLS"))));
        }
        List<ConsumerRecord<byte[], byte[]>> read = CommittedRecords.atLeast(alice, topic, 1, Duration.ofSeconds(30));
        assertEquals(1, read.size());
        assertEquals("over TLS", new String(read.get(0).value(), StandardCharsets.UTF_8));
    }

    @Test
    void aWrongPasswordIsASaslAuthenticationErrorWithinSeconds() {
        long start = System.nanoTime();
        Throwable cause = listTopics(kafka.securedClient("alice", "wrong-pw"));
        assertInstanceOf(SaslAuthenticationException.class, cause, String.valueOf(cause));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos(), "refused late");
        assertInstanceOf(SaslAuthenticationException.class, listTopics(kafka.securedClient("mallory", "alice-pw")));
    }

    @Test
    void aClientThatDoesNotTrustTheBrokersCertificateIsRefused() {
        Map<String, String> noTruststore = new java.util.HashMap<>(kafka.securedClient("alice", "alice-pw").clientSettings());
        noTruststore.keySet().removeIf(k -> k.startsWith("ssl.truststore"));
        Throwable cause = listTopics(KafkaClientSettings.plaintext(kafka.securedBootstrapServers()), noTruststore);
        assertInstanceOf(SslAuthenticationException.class, cause, String.valueOf(cause));
    }

    @Test
    void aClientWithoutTlsAndSaslGetsNothingWithinItsBound() {
        Throwable cause = listTopics(KafkaClientSettings.plaintext(kafka.securedBootstrapServers()));
        assertInstanceOf(TimeoutException.class, cause, String.valueOf(cause));
    }

    private static Throwable listTopics(KafkaClientSettings k) {
        return listTopics(k, Map.of());
    }

    /** The failure of listing topics with a 5 s bound (an authentication error comes much sooner). */
    private static Throwable listTopics(KafkaClientSettings k, Map<String, String> extra) {
        Map<String, Object> config = k.config(Map.of("default.api.timeout.ms", "5000", "request.timeout.ms", "5000"));
        config.putAll(extra);
        try (Admin admin = Admin.create(config)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get());
            return e.getCause();
        }
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
