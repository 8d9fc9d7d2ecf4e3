package org.astropt.stream.flink.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
 * The operator in a harness with real model files: every rule on its own is in {@link ServingVersionsTest};
 * here the loads, swaps and the REJECTED record happen for real. The test waits on the load in flight and
 * then advances processing time so the operator's timer takes it; an embedding is waited for by a barrier.
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
            assertNotNull(operator.loadInFlight(), "v3 loads");
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
        EmbedOperator operator = new EmbedOperator(settings);
        try (var h = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(operator)) {
            h.open();
            h.processElement2(model(v1, 1, ModelStatus.PROMOTED));
            settle(h, operator);
            assertEquals(1, embed(h, sequences.get(0)));
            h.processElement2(model(v2, 2, ModelStatus.PROMOTED));
            settle(h, operator);
            assertEquals(1, status(h).size(), "v2 refused: a REJECTED record");
            assertEquals(1, embed(h, sequences.get(2)), "v2's outputs are NaN: refused");
            // the REJECTED record this operator published comes back on the models topic, then a replay of the PROMOTED one
            KafkaBytes rejected = status(h).get(0);
            h.processElement2(new StreamRecord<>(ModelPointerDeserializer.pointer(VERSIONS.decode(rejected.value), rejected.value)));
            h.processElement2(model(v2, 2, ModelStatus.PROMOTED));
            settle(h, operator); // the latest record wins: v2 is tried again, and refused again
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

    /** Sends one sequence (batch size 1) and a barrier, which waits for its embedding; returns the version that made it. */
    private static long embed(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h, TokenizedCutout t)
            throws Exception {
        int before = embeddings(h).size();
        h.processElement1(new StreamRecord<>(t));
        h.prepareSnapshotPreBarrier(before + 1);
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

    /**
     * Until no load is in flight: waits for the load to end, then advances processing time past the operator's
     * poll timer so it takes the outcome (a refusal may start the next load, a fall-back).
     */
    static void settle(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h, EmbedOperator op)
            throws Exception {
        for (int i = 0; i < 10 && op.loadInFlight() != null; i++) {
            try {
                op.loadInFlight().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException refused) {
                // the operator takes the refusal on its timer
            }
            h.setProcessingTime(h.getProcessingTime() + EmbedOperator.LOAD_POLL_MS);
        }
        assertNull(op.loadInFlight(), "the loads settled");
    }
}
