package org.astropt.stream.trainer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.TokenSequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a range of astropt.tokens (read_committed) record by record, in bounded memory: at most one poll
 * (trainer.max-poll-records) is buffered, whatever the size of the topic. Its {@link #position()} counts only
 * the records handed out, so a checkpoint of it resumes exactly after the last record trained on. A second
 * consumer serves random reads of older records (the replay sample) without moving the main one.
 *
 * <p>Positions are maps partition -> next offset. Records that do not decode are logged and skipped.
 */
final class TokenReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenReader.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final AvroCodec<TokenSequence> CODEC = AvroCodec.of(TokenSequence.class);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Object> config;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Deque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    private final Map<Integer, Long> position = new TreeMap<>();
    private Map<Integer, Long> until = Map.of();
    private KafkaConsumer<byte[], byte[]> replay;
    private long skipped;

    TokenReader(TrainerSettings settings, String topic) {
        this.topic = topic;
        this.config = settings.kafka().config(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, settings.groupId(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords()));
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(partitions);
    }

    /** The first offset of each partition (after compaction and retention). */
    Map<Integer, Long> beginning() { return byPartition(consumer.beginningOffsets(partitions)); }

    /** The end of each partition as a read_committed reader sees it: the last stable offset. */
    Map<Integer, Long> end() { return byPartition(consumer.endOffsets(partitions)); }

    /** The positions committed to the consumer group (the last completed round), or empty for none. */
    Map<Integer, Long> committed() {
        Map<Integer, Long> out = new TreeMap<>();
        consumer.committed(new java.util.HashSet<>(partitions)).forEach((tp, om) -> { if (om != null) out.put(tp.partition(), om.offset()); });
        return out;
    }

    /** Starts reading at from (missing partitions: their beginning) and stops at until. */
    void seek(Map<Integer, Long> from, Map<Integer, Long> until) {
        buffer.clear();
        consumer.resume(partitions);
        this.until = Map.copyOf(until);
        Map<Integer, Long> begin = beginning();
        for (TopicPartition tp : partitions) {
            long p = Math.max(from.getOrDefault(tp.partition(), 0L), begin.getOrDefault(tp.partition(), 0L));
            consumer.seek(tp, p);
            position.put(tp.partition(), p);
        }
    }

    /** The next record of the range, or null when every partition reached its end. */
    TokenRecord next() {
        while (true) {
            ConsumerRecord<byte[], byte[]> r = buffer.poll();
            if (r == null) {
                if (reachedEnd()) {
                    position.putAll(until);
                    return null;
                }
                consumer.poll(POLL).forEach(buffer::add);
                for (TopicPartition tp : partitions) {  // no fetching past the range
                    if (consumer.position(tp) >= until.getOrDefault(tp.partition(), 0L)) consumer.pause(List.of(tp));
                }
                continue;
            }
            long end = until.getOrDefault(r.partition(), Long.MAX_VALUE);
            if (r.offset() >= end) continue;
            position.put(r.partition(), r.offset() + 1);
            TokenRecord t = decode(r);
            if (t != null) return t;
        }
    }

    private boolean reachedEnd() {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < until.getOrDefault(tp.partition(), 0L)) return false;
        }
        return true;
    }

    /** Partition -> offset after the last record handed out (the range's end once next() returned null). */
    Map<Integer, Long> position() { return new TreeMap<>(position); }

    /**
     * Up to count records from (partition, offset) on, before stopBefore, for the replay sample; held-out
     * ones are left out by the caller. Reads through the second consumer.
     */
    List<TokenRecord> readAt(int partition, long offset, int count, long stopBefore) {
        if (replay == null) {
            Map<String, Object> c = new HashMap<>(config);
            c.remove(ConsumerConfig.GROUP_ID_CONFIG);
            replay = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        replay.assign(List.of(tp));
        replay.seek(tp, offset);
        List<TokenRecord> out = new ArrayList<>();
        while (out.size() < count && replay.position(tp) < stopBefore) {
            for (ConsumerRecord<byte[], byte[]> r : replay.poll(POLL)) {
                if (r.offset() >= stopBefore || out.size() >= count) break;
                TokenRecord t = decode(r);
                if (t != null) out.add(t);
            }
        }
        return out;
    }

    /** Commits positions to the consumer group: what kafka-consumer-groups.sh shows as the trainer's lag. */
    void commit(Map<Integer, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        positions.forEach((p, o) -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
        consumer.commitSync(offsets);
    }

    /** Records skipped because they did not decode. */
    long skipped() { return skipped; }

    private TokenRecord decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) return null; // a tombstone: the object was deleted
        try {
            return new TokenRecord(r.partition(), r.offset(), CODEC.decode(r.value()), r.value());
        } catch (RuntimeException e) {
            skipped++;
            LOG.warn("{}-{}@{}: skipped, not a TokenSequence: {}", topic, r.partition(), r.offset(), e.getMessage());
            return null;
        }
    }

    private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
        Map<Integer, Long> out = new TreeMap<>();
        offsets.forEach((tp, o) -> out.put(tp.partition(), o));
        return out;
    }

    @Override
    public void close() {
        consumer.close();
        if (replay != null) replay.close();
    }
}
