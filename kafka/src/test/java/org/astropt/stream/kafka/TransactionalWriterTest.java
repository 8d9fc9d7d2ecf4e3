package org.astropt.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionalWriterTest {

    @Test
    void aBatchLandsWholeOrNotAtAllAndTheWriterGoesOnAfterAFailedOne(@TempDir Path dir) throws Exception {
        Topics topics = Topics.defaults().withPrefix("tw.");
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir, 0, topics);
             TransactionalWriter writer = new TransactionalWriter(kafka.bootstrapServers(), "tw-test")) {
            String topic = topics.name(Topics.MODELS);
            writer.write(List.of(record(topic, "a"), record(topic, "b")));
            // the second record is over the producer's 1 MB request limit: refused after the first was sent
            byte[] tooLarge = new byte[2 << 20];
            KafkaException e = assertThrows(KafkaException.class, () -> writer.write(List.of(
                    record(topic, "c"), new ProducerRecord<>(topic, bytes("big"), tooLarge))));
            writer.write(List.of(record(topic, "d")));

            List<String> read = CommittedRecords.all(kafka.bootstrapServers(), topic, Duration.ofSeconds(30)).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
            assertEquals(List.of("a", "b", "d"), read, "c went out in the failed batch: " + e.getMessage());
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
        return new ProducerRecord<>(topic, bytes("model:1"), bytes(value)); // one key: one partition, in order
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
