package org.astropt.stream.flink.records;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * KafkaBytes to one topic. A record with a partition number goes to that partition (modulo the
 * topic's partitions), others by Kafka's key hash. A named class: KafkaSink cannot extract the type of a lambda.
 */
public final class KafkaBytesSerializer implements KafkaRecordSerializationSchema<KafkaBytes> {

    private final String topic;
    private transient int[] partitions;

    public KafkaBytesSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sink) {
        partitions = sink.getPartitionsForTopic(topic);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(KafkaBytes r, KafkaSinkContext sink, Long timestamp) {
        Integer partition = null;
        if (r.partition >= 0) {
            if (partitions == null) partitions = sink.getPartitionsForTopic(topic);
            partition = partitions[r.partition % partitions.length];
        }
        return new ProducerRecord<>(topic, partition, null, r.key, r.value);
    }
}
