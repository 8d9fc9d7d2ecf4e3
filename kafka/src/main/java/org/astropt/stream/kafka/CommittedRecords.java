package org.astropt.stream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Every committed record of a topic (read_committed, all partitions, from the start): what the tests,
 * the model registry and any tool that checks a topic after the fact read to see exactly the transactions
 * that landed.
 */
public final class CommittedRecords {

    private CommittedRecords() {}

    /**
     * Reads from the start until {@code done} holds for what was read (or the deadline passes), then
     * keeps reading for {@code settle} more to catch duplicates that would come after.
     */
    public static List<ConsumerRecord<byte[], byte[]>> read(KafkaClientSettings kafka, String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout, Duration settle) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = fromStart(kafka, topic)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (settleUntil == Long.MAX_VALUE && done.test(out)) settleUntil = System.nanoTime() + settle.toNanos();
            }
        }
        return out;
    }

    /**
     * Everything committed on the topic now: reads from the start up to the end offsets (for a read_committed
     * consumer, the last stable offsets) taken when it starts.
     */
    public static List<ConsumerRecord<byte[], byte[]>> all(KafkaClientSettings kafka, String topic, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = fromStart(kafka, topic)) {
            List<TopicPartition> parts = List.copyOf(consumer.assignment());
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(topic + ": not read to its end offsets " + end + " within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** A read_committed consumer of every partition of the topic, at its beginning, in no group. */
    public static KafkaConsumer<byte[], byte[]> fromStart(KafkaClientSettings kafka, String topic) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic)) parts.add(new TopicPartition(topic, p.partition()));
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return consumer;
    }

    /** Reads until at least n records arrived, then settles for a second. */
    public static List<ConsumerRecord<byte[], byte[]>> atLeast(KafkaClientSettings kafka, String topic, int n, Duration timeout) {
        return read(kafka, topic, r -> r.size() >= n, timeout, Duration.ofSeconds(1));
    }

    // PLAINTEXT forms of the above, for the tests and the local stack

    public static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout, Duration settle) {
        return read(KafkaClientSettings.plaintext(bootstrap), topic, done, timeout, settle);
    }

    public static List<ConsumerRecord<byte[], byte[]>> all(String bootstrap, String topic, Duration timeout) {
        return all(KafkaClientSettings.plaintext(bootstrap), topic, timeout);
    }

    public static KafkaConsumer<byte[], byte[]> fromStart(String bootstrap, String topic) {
        return fromStart(KafkaClientSettings.plaintext(bootstrap), topic);
    }

    public static List<ConsumerRecord<byte[], byte[]>> atLeast(String bootstrap, String topic, int n, Duration timeout) {
        return atLeast(KafkaClientSettings.plaintext(bootstrap), topic, n, timeout);
    }
}
