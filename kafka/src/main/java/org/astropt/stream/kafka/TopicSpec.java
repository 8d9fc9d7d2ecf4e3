package org.astropt.stream.kafka;

import java.io.Serializable;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * One Kafka topic as config/topics.properties describes it.
 *
 * @param role              what the topic is for in the pipeline: cutouts, tokens, embeddings, flags, models, dead-letter, labels
 * @param name              the Kafka topic name
 * @param partitions        partitions; they bound the parallelism of whoever reads the topic
 * @param replicationFactor copies of each partition (1 on the in-process broker)
 * @param configs           Kafka topic configs (cleanup.policy, retention.ms, ...)
 */
public record TopicSpec(String role, String name, int partitions, short replicationFactor, Map<String, String> configs)
        implements Serializable {

    public TopicSpec {
        if (partitions < 1) throw new IllegalArgumentException("topic " + name + ": partitions must be at least 1, not " + partitions);
        configs = Map.copyOf(configs);
    }

    public boolean compacted() {
        return configs.getOrDefault("cleanup.policy", "delete").contains("compact");
    }

    public NewTopic newTopic() {
        return new NewTopic(name, partitions, replicationFactor).configs(configs);
    }
}
