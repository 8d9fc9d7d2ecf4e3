package org.astropt.stream.flink;

import org.apache.flink.api.connector.sink2.Sink;
import org.astropt.stream.flink.records.KafkaBytes;

/** Where the pipeline writes, one sink per topic role. Kafka in production ({@link KafkaEdges}), anything in tests. */
public record PipelineSinks(Sink<KafkaBytes> tokens, Sink<KafkaBytes> embeddings, Sink<KafkaBytes> flags,
        Sink<KafkaBytes> deadLetters, Sink<KafkaBytes> modelStatus) {}
