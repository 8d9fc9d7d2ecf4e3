package org.astropt.stream.flink.functions;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.util.Collector;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Embedding;

/**
 * What a backfill keeps of the embed stage's output: the Embedding records, each marked in its metadata with
 * {@value #METADATA_KEY}{@code =<name>:<version>} so a reader can tell a re-embedded object from a new one. The
 * rest is dropped and counted: Flags (the objects were flagged, or not, when they arrived; re-flagging the whole
 * catalogue at each promotion would flood the people who follow the flags topic) and dead letters of sequences
 * the pinned version cannot read (another layout's, or ones dead-lettered already when they arrived).
 */
public final class BackfillRecords extends RichFlatMapFunction<KafkaBytes, KafkaBytes> {

    /** The Embedding metadata key that marks a backfilled record; its value is the {@code name:version} backfilled. */
    public static final String METADATA_KEY = org.astropt.stream.kafka.Topics.BACKFILL_METADATA_KEY;

    /** Accumulators of the job's result: Embedding records written, and other records dropped. */
    public static final String EMBEDDED = "backfill-embedded";
    public static final String DROPPED = "backfill-dropped";

    private final String label;
    private transient AvroCodec<Embedding> embeddings;
    private transient LongCounter embedded;
    private transient LongCounter dropped;

    /** @param label the pinned version as {@code name:version} */
    public BackfillRecords(String label) {
        this.label = label;
    }

    @Override
    public void open(OpenContext context) {
        embeddings = AvroCodec.of(Embedding.class);
        embedded = new LongCounter();
        dropped = new LongCounter();
        getRuntimeContext().addAccumulator(EMBEDDED, embedded);
        getRuntimeContext().addAccumulator(DROPPED, dropped);
    }

    @Override
    public void flatMap(KafkaBytes record, Collector<KafkaBytes> out) {
        if (record.role != null) { // a Flag, a dead letter (or a model status, which a backfill never publishes)
            dropped.add(1);
            return;
        }
        Embedding e = embeddings.decode(record.value);
        Map<String, String> metadata = new HashMap<>(e.getMetadata());
        metadata.put(METADATA_KEY, label);
        e.setMetadata(metadata);
        embedded.add(1);
        out.collect(new KafkaBytes(record.key, embeddings.encode(e), record.partition)); // object reuse: the input stays as it was
    }
}
