package org.astropt.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"alice\" password=\"s3cret-pw\";";

    private static Path file(Path dir, String text) throws IOException {
        Path f = dir.resolve("kafka.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void kafkaKeysGoVerbatimIntoEveryClientsConfigAndTheClientsOwnKeysWin(@TempDir Path dir) throws Exception {
        KafkaClientSettings k = KafkaClientSettings.read("broker:9093", file(dir, String.join("\n",
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.mechanism=SCRAM-SHA-512",
                "kafka.sasl.jaas.config=" + JAAS.replace("\"", "\\\""),
                "kafka.ssl.truststore.location=/etc/ca.p12",
                "kafka.ssl.endpoint.identification.algorithm=",
                "pipeline.batch-size=16")));
        Map<String, Object> consumer = k.config(Map.of("group.id", "g", "security.protocol", "SASL_SSL"));
        assertEquals("broker:9093", consumer.get("bootstrap.servers"));
        assertEquals("SASL_SSL", consumer.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", consumer.get("sasl.mechanism"));
        assertEquals(JAAS, consumer.get("sasl.jaas.config"));
        assertEquals("/etc/ca.p12", consumer.get("ssl.truststore.location"));
        assertEquals("g", consumer.get("group.id"));
        assertFalse(consumer.containsKey("ssl.endpoint.identification.algorithm"), "an empty key keeps Kafka's default");
        assertFalse(consumer.containsKey("batch-size") || consumer.containsKey("pipeline.batch-size"), "only kafka.* keys");
        assertEquals("broker:9093", k.properties().getProperty("bootstrap.servers"));
        assertTrue(k.secured());
    }

    @Test
    void secretsAreMaskedWhereverTheSettingsAreDescribed(@TempDir Path dir) throws Exception {
        KafkaClientSettings k = KafkaClientSettings.read("broker:9093", file(dir, String.join("\n",
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.jaas.config=" + JAAS.replace("\"", "\\\""),
                "kafka.ssl.truststore.password=trust-pw",
                "kafka.ssl.keystore.password=key-pw",
                "kafka.ssl.key.password=private-pw",
                "kafka.ssl.keystore.key=-----BEGIN PRIVATE KEY-----abc")));
        String shown = k.toString();
        for (String secret : new String[] {"s3cret-pw", "alice", "trust-pw", "key-pw", "private-pw", "BEGIN PRIVATE KEY"}) {
            assertFalse(shown.contains(secret), secret + " shown in " + shown);
        }
        assertTrue(shown.startsWith("broker:9093 ("), shown);
        assertTrue(shown.contains("security.protocol=SASL_SSL"), shown);
        assertTrue(shown.contains("sasl.jaas.config=****"), shown);
        assertEquals("localhost:9092 (PLAINTEXT)", KafkaClientSettings.plaintext("localhost:9092").toString());
    }

    @Test
    void badSettingsAreOneLineErrorsNamingTheFileAndKey(@TempDir Path dir) throws Exception {
        Path bad = file(dir, "kafka.security.protocol=TLS\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaClientSettings.read("b:1", bad));
        assertEquals(bad + ": kafka.security.protocol = 'TLS' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL", e.getMessage());
        Path withBootstrap = file(dir, "kafka.bootstrap.servers=elsewhere:9092\n");
        e = assertThrows(IllegalArgumentException.class, () -> KafkaClientSettings.read("b:1", withBootstrap));
        assertTrue(e.getMessage().startsWith(withBootstrap + ": kafka.bootstrap.servers is not read here"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaClientSettings.plaintext(" "));
        assertFalse(KafkaClientSettings.readIfPresent("b:1", dir.resolve("absent.properties")).secured(), "no file: PLAINTEXT");
    }
}
