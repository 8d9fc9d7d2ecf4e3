package org.astropt.stream.flink.records;

import java.nio.charset.StandardCharsets;

/**
 * An output record ready for Kafka: key and value bytes and, when it matters, the partition. Every
 * sink of the pipeline takes these, so a test can swap any Kafka sink for a collecting one. A Flink POJO.
 */
public class KafkaBytes {
    public byte[] key;
    public byte[] value;
    /** Partition number (taken modulo the topic's partitions); -1: Kafka's key hash decides. */
    public int partition = -1;

    public KafkaBytes() {}

    public KafkaBytes(byte[] key, byte[] value, int partition) {
        this.key = key;
        this.value = value;
        this.partition = partition;
    }

    public static KafkaBytes keyed(String key, byte[] value, int partition) {
        return new KafkaBytes(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, partition);
    }
}
