package org.astropt.stream.flink.records;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * KafkaBytes to the topic of their role: a record without one goes to the sink's own topic, others to
 * the topic named for their role (a role the sink does not know is an error, not a silent drop). A record
 * with a partition number goes to that partition (modulo the topic's partitions), others by Kafka's key
 * hash. A named class: KafkaSink cannot extract the type of a lambda.
 */
public final class KafkaBytesSerializer implements KafkaRecordSerializationSchema<KafkaBytes> {

    private final String topic;
    private final HashMap<String, String> topicsByRole;
    private transient Map<String, int[]> partitions;

    /** A default topic, and the topics of the roles records may name. */
    public KafkaBytesSerializer(String topic, Map<String, String> topicsByRole) {
        this.topic = topic;
        this.topicsByRole = new HashMap<>(topicsByRole);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(KafkaBytes r, KafkaSinkContext sink, Long timestamp) {
        String to = topic;
        if (r.role != null) {
            to = topicsByRole.get(r.role);
            if (to == null) throw new IllegalArgumentException("no topic for role " + r.role + " in the sink to " + topic);
        }
        Integer partition = null;
        if (r.partition >= 0) {
            if (partitions == null) partitions = new HashMap<>();
            int[] of = partitions.computeIfAbsent(to, sink::getPartitionsForTopic);
            partition = of[r.partition % of.length];
        }
        return new ProducerRecord<>(to, partition, null, r.key, r.value);
    }
}
