package org.astropt.stream.flink;

import org.apache.flink.api.connector.sink2.Sink;
import org.astropt.stream.flink.records.KafkaBytes;

/**
 * Where the pipeline writes: Kafka in production ({@link KafkaEdges}), anything in tests.
 *
 * @param tokens       TokenSequence records (astropt.tokens)
 * @param embedOutputs everything the embed stage writes, in one transaction per checkpoint: Embedding records
 *                     (no role) and, by their {@link KafkaBytes#role}, Flags, REJECTED model records and the
 *                     stage's dead letters
 * @param deadLetters  the decode/tokenize stage's dead letters
 */
public record PipelineSinks(Sink<KafkaBytes> tokens, Sink<KafkaBytes> embedOutputs, Sink<KafkaBytes> deadLetters) {}
