package org.astropt.stream.flink.records;

import java.nio.charset.StandardCharsets;

/**
 * An output record ready for Kafka: key and value bytes, when it matters the partition, and, for a sink
 * that writes several topics, the topic role. Every sink of the pipeline takes these, so a test can swap
 * any Kafka sink for a collecting one. A Flink POJO.
 */
public class KafkaBytes {
    public byte[] key;
    public byte[] value;
    /** Partition number (taken modulo the topic's partitions); -1: Kafka's key hash decides. */
    public int partition = -1;
    /** Topic role ({@code org.astropt.stream.kafka.Topics}: "flags", "models"...); null: the sink's own topic. */
    public String role;

    public KafkaBytes() {}

    public KafkaBytes(byte[] key, byte[] value, int partition) {
        this.key = key;
        this.value = value;
        this.partition = partition;
    }

    public static KafkaBytes keyed(String key, byte[] value, int partition) {
        return new KafkaBytes(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, partition);
    }

    /** This record, bound for the topic of the given role. */
    public KafkaBytes to(String role) {
        this.role = role;
        return this;
    }
}
