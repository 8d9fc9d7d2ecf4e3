package org.astropt.stream.trainer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.core.heads.ObjectLabel;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Label;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels people gave objects, as the trainer reads them from the compacted labels topic at the start of a
 * fit: the latest label of each object id (a later record of an id replaces the earlier; a tombstone withdraws it),
 * and the offset after the last record read, summed over partitions, which grows with every label given. A version records that
 * offset ({@value #OFFSET_METRIC}) so the trainer can tell whether people labelled anything since its heads were fitted.
 *
 * @param byId   object id to its label ({@link ObjectLabel} spelling)
 * @param offset the offset after the last record read, summed over partitions
 */
record HumanLabels(Map<String, String> byId, long offset) {

    /** The metric a version's record carries: the labels topic's offset its heads were fitted at. */
    static final String OFFSET_METRIC = "labels.offset";
    /** The metric a version's record carries: how many objects people had labelled when its heads were fitted. */
    static final String COUNT_METRIC = "labels.human";

    static final HumanLabels NONE = new HumanLabels(Map.of(), 0);
    private static final Logger LOG = LoggerFactory.getLogger(HumanLabels.class);
    private static final AvroCodec<Label> CODEC = AvroCodec.of(Label.class);

    HumanLabels {
        byId = Map.copyOf(byId);
    }

    /** Reads the whole labels topic now (read_committed, to its end offsets); records that are not a valid Label are logged and skipped. */
    static HumanLabels read(KafkaClientSettings kafka, String topic) {
        Map<String, String> byId = new LinkedHashMap<>();
        Map<Integer, Long> next = new java.util.TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.all(kafka, topic, Duration.ofMinutes(2))) {
            next.merge(r.partition(), r.offset() + 1, Math::max);
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                if (key != null) byId.remove(key);
                continue;
            }
            try {
                Label l = CODEC.decode(r.value());
                byId.put(l.getId(), ObjectLabel.parse(l.getLabel()));
            } catch (RuntimeException e) {
                LOG.warn("{}-{}@{}: not a valid Label, skipped: {}", topic, r.partition(), r.offset(), e.getMessage());
            }
        }
        return new HumanLabels(byId, next.values().stream().mapToLong(Long::longValue).sum());
    }

    boolean isEmpty() { return byId.isEmpty(); }

    int size() { return byId.size(); }
}
