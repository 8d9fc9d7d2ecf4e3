package org.astropt.stream.flink.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.astropt.stream.flink.ModelStore;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.ModelPointerDeserializer;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REJECTED and ROLLED_BACK records withdraw a version: the embed operator never loads it, goes back
 * from a withdrawn serving version to the newest one below it, and refuses a bad version only once.
 */
class ModelWithdrawalTest {

    static final AvroCodec<ModelVersion> VERSIONS = AvroCodec.of(ModelVersion.class);
    static final String NAME = "astropt-small";

    @Test
    void withdrawnVersionsNeverServeAndTheServingOneFallsBack(@TempDir Path dir) throws Exception {
        ModelStore store = new ModelStore(dir);
        Path v1 = store.save(NAME, 1);
        Path v2 = store.save(NAME, 2);
        Path v3 = store.save(NAME, 3);
        List<TokenizedCutout> sequences = EmbedOperatorTest.tokenized(2);
        EmbedOperator operator = new EmbedOperator(EmbedSettings.defaults().withBatch(1, 0));
        try (var h = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(operator)) {
            h.open();
            h.processElement2(model(v1, 1, ModelStatus.PROMOTED));
            settle(h, operator);
            assertEquals(1, embed(h, sequences.get(0)));
            h.processElement2(model(v2, 2, ModelStatus.PROMOTED));
            settle(h, operator);
            assertEquals(2, embed(h, sequences.get(1)), "v2 swapped in");

            h.processElement2(model(v2, 2, ModelStatus.ROLLED_BACK));
            settle(h, operator);
            assertEquals(1, embed(h, sequences.get(0)), "v2 rolled back: v1, the newest version below it, serves again");

            // v3 promoted, then rejected while it loads: it never serves
            h.processElement2(model(v3, 3, ModelStatus.PROMOTED));
            assertTrue(operator.loadInFlight(), "v3 loads");
            h.processElement2(model(v3, 3, ModelStatus.REJECTED));
            settle(h, operator);
            assertEquals(1, embed(h, sequences.get(1)), "the withdrawn v3 was discarded, not swapped in");

            // a manual promotion after the rejection wins: the latest record of a version counts
            h.processElement2(model(v3, 3, ModelStatus.PROMOTED));
            settle(h, operator);
            assertEquals(3, embed(h, sequences.get(0)));
            assertEquals(0, status(h).size(), "nothing was refused here, so no status was published");
        }
    }

    @Test
    void aBadVersionIsRefusedOnceEvenWhenItsRecordsArriveAgain(@TempDir Path dir) throws Exception {
        ModelStore store = new ModelStore(dir);
        Path v1 = store.save(NAME, 1);
        Path v2 = store.saveNaN(NAME, 2);
        List<TokenizedCutout> sequences = EmbedOperatorTest.tokenized(3);
        EmbedSettings settings = EmbedSettings.defaults().withBatch(1, 0);
        try (var h = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(new EmbedOperator(settings))) {
            h.open();
            h.processElement2(model(v1, 1, ModelStatus.PROMOTED));
            assertEquals(1, embed(h, sequences.get(0)));
            StreamRecord<ModelPointer> bad = model(v2, 2, ModelStatus.PROMOTED);
            h.processElement2(bad);
            waitForStatus(h, 1);
            assertEquals(1, embed(h, sequences.get(2)), "v2's outputs are NaN: refused");
            // the REJECTED record this operator published comes back on the models topic, then a replay of the PROMOTED one
            KafkaBytes rejected = status(h).get(0);
            h.processElement2(new StreamRecord<>(ModelPointerDeserializer.pointer(VERSIONS.decode(rejected.value), rejected.value)));
            h.processElement2(model(v2, 2, ModelStatus.PROMOTED));
            assertEquals(1, embed(h, sequences.get(1)), "v1 keeps serving");
            assertEquals(1, status(h).size(), "refused once, one REJECTED record");
            assertEquals(ModelStatus.REJECTED, VERSIONS.decode(rejected.value).getStatus());
            assertTrue(VERSIONS.decode(rejected.value).getNote().toString().contains("v2"));
        }
    }

    private static StreamRecord<ModelPointer> model(Path dir, long version, ModelStatus status) {
        ModelVersion v = ModelStore.pointer(NAME, version, dir, status);
        byte[] bytes = VERSIONS.encode(v);
        return new StreamRecord<>(ModelPointerDeserializer.pointer(v, bytes));
    }

    /** Sends one sequence (batch size 1) and advances processing time until its embedding comes out; returns its version. */
    private static long embed(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h, TokenizedCutout t)
            throws Exception {
        int before = embeddings(h).size();
        h.processElement1(new StreamRecord<>(t));
        for (int i = 0; i < 500 && embeddings(h).size() == before; i++) {
            h.setProcessingTime(h.getProcessingTime() + EmbedOperator.LOAD_POLL_MS);
            Thread.sleep(10);
        }
        List<KafkaBytes> out = embeddings(h);
        assertEquals(before + 1, out.size(), "one embedding for " + t.id);
        return EmbedOperatorTest.EMBEDDINGS.decode(out.get(before).value).getModelVersion();
    }

    /** The operator's output to the embeddings topic (records without a role). */
    private static List<KafkaBytes> embeddings(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h) {
        return h.extractOutputValues().stream().filter(r -> r.role == null).toList();
    }

    /** The operator's REJECTED records, bound for the models topic. */
    private static List<KafkaBytes> status(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h) {
        return h.extractOutputValues().stream().filter(r -> Topics.MODELS.equals(r.role)).toList();
    }

    /** Advances processing time until no load is in flight and the loader's result has been taken. */
    private static void settle(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h, EmbedOperator op)
            throws Exception {
        for (int i = 0; i < 1000 && op.loadInFlight(); i++) {
            h.setProcessingTime(h.getProcessingTime() + EmbedOperator.LOAD_POLL_MS);
            Thread.sleep(10);
        }
        assertTrue(!op.loadInFlight(), "the load settled within 10 s");
    }

    private static void waitForStatus(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h, int n)
            throws Exception {
        for (int i = 0; i < 500; i++) {
            if (status(h).size() >= n) return;
            h.setProcessingTime(h.getProcessingTime() + EmbedOperator.LOAD_POLL_MS);
            Thread.sleep(10);
        }
        throw new AssertionError("no status record after 5 s");
    }
}
