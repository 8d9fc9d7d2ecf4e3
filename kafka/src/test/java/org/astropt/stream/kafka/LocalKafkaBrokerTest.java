package org.astropt.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerTest {

    @Test
    void topicsFromConfigAndOnlyCommittedTransactionsAreRead(@TempDir Path dir) throws Exception {
        Topics topics = Topics.load(Path.of("../config/topics.properties"));
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir, 0, topics)) {
            try (Admin admin = kafka.admin()) {
                Map<String, TopicDescription> described = admin.describeTopics(
                        topics.all().stream().map(TopicSpec::name).toList()).allTopicNames().get();
                for (TopicSpec s : topics.all()) {
                    assertEquals(s.partitions(), described.get(s.name()).partitions().size(), s.name());
                    String policy = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, s.name())))
                            .all().get().values().iterator().next().get("cleanup.policy").value();
                    assertEquals(s.compacted() ? "compact" : "delete", policy, s.name());
                }
            }
            assertEquals(Set.of("astropt.tokens", "astropt.models", "astropt.labels"),
                    topics.all().stream().filter(TopicSpec::compacted).map(TopicSpec::name).collect(Collectors.toSet()));

            String topic = topics.name(Topics.EMBEDDINGS);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "broker-test"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, bytes("a"), bytes("aborted")));
                producer.abortTransaction();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("committed-" + i)));
                producer.commitTransaction();
            }
            List<ConsumerRecord<byte[], byte[]>> read = CommittedRecords.atLeast(kafka.bootstrapServers(), topic, 10, Duration.ofSeconds(30));
            assertEquals(10, read.size());
            assertEquals(Set.of("committed-0", "committed-1", "committed-2", "committed-3", "committed-4",
                            "committed-5", "committed-6", "committed-7", "committed-8", "committed-9"),
                    read.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.toSet()));
        }
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
