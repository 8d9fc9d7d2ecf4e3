package org.astropt.stream.flink.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.astropt.stream.core.heads.TiedRegionHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.sim.ArtefactKind;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.flink.ModelStore;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.Flag;
import org.astropt.stream.schemas.FlagKind;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.TokenSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embed operator in a test harness: batches wait for N or T, and are flushed before a barrier and at the end of input. */
class EmbedOperatorTest {

    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);
    static final AvroCodec<Flag> FLAGS = AvroCodec.of(Flag.class);

    @Test
    void partBatchIsFlushedBeforeTheBarrierAndNothingIsHeldInTheCheckpoint(@TempDir Path dir) throws Exception {
        try (AstroPTModel m = AstroPTModel.create(ModelConfig.of(1, 2, 32), AstroPTModel.defaultDevice(), 1)) {
            Checkpoint.save(m, dir, Safetensors.Dtype.F32);
        }
        EmbedSettings settings = EmbedSettings.defaults().withBatch(16, 60_000).withInitialModel(dir.toString());
        List<TokenizedCutout> sequences = tokenized(3);
        try (var harness = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(new EmbedOperator(settings))) {
            harness.open();
            for (TokenizedCutout t : sequences) harness.processElement1(new StreamRecord<>(t));
            assertEquals(0, harness.extractOutputValues().size(), "3 of 16 and the delay not reached: the batch waits");
            harness.prepareSnapshotPreBarrier(1);
            var snapshot = harness.snapshot(1, 1);
            List<KafkaBytes> out = harness.extractOutputValues();
            assertEquals(3, out.size(), "flushed before the barrier");
            for (int i = 0; i < 3; i++) {
                Embedding e = EMBEDDINGS.decode(out.get(i).value);
                assertEquals(sequences.get(i).id, e.getId());
                assertEquals("initial", e.getModelName());
                assertEquals(32, e.getVector().size());
            }
            // a restore from that checkpoint replays nothing: the state held no sequence
            try (var restored = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(new EmbedOperator(settings))) {
                restored.initializeState(snapshot);
                restored.open();
                assertEquals(0, restored.extractOutputValues().size(), "nothing replayed from the checkpoint");
                restored.processElement1(new StreamRecord<>(sequences.get(0)));
                restored.endInput1();
                assertEquals(1, restored.extractOutputValues().size(), "end of input flushes the part batch");
            }
        }
    }

    /**
     * Batches on the inference thread: with two in flight and batches of 2, ten sequences leave in the order they
     * came, every one out by the barrier, with the same vectors and scores as the forward pass on the task thread.
     */
    @Test
    void batchesInFlightLeaveInOrderByTheBarrierWithTheTaskThreadsResults(@TempDir Path dir) throws Exception {
        try (AstroPTModel m = AstroPTModel.create(ModelConfig.of(1, 2, 32), AstroPTModel.defaultDevice(), 1)) {
            Checkpoint.save(m, dir, Safetensors.Dtype.F32);
        }
        List<TokenizedCutout> sequences = tokenized(10);
        EmbedSettings base = EmbedSettings.defaults().withBatch(2, 60_000).withInitialModel(dir.toString());
        List<Embedding> onTaskThread = embedAll(base.withInFlight(0), sequences);
        List<Embedding> inFlight = embedAll(base.withInFlight(2), sequences);
        assertEquals(10, inFlight.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(sequences.get(i).id, inFlight.get(i).getId(), "order kept");
            assertEquals(onTaskThread.get(i).getVector(), inFlight.get(i).getVector(), "same vector");
            assertEquals(onTaskThread.get(i).getSurprise(), inFlight.get(i).getSurprise(), "same surprise");
        }
    }

    /**
     * The backfill's case: a bounded models input of one pinned record, whose end may come after the end of
     * the sequences. The operator waits for it, then embeds every held sequence with that version; with no
     * model by the end of both inputs it fails, saying so.
     */
    @Test
    void sequencesThatEndBeforeTheirPinnedModelArrivesWaitForIt(@TempDir Path dir) throws Exception {
        ModelPointer pinned = org.astropt.stream.flink.records.ModelPointerDeserializer.pointer(
                org.astropt.stream.flink.ModelStore.pointer("astropt-small", 3, new org.astropt.stream.flink.ModelStore(dir).save("astropt-small", 3),
                        org.astropt.stream.schemas.ModelStatus.PROMOTED), null);
        EmbedSettings settings = EmbedSettings.defaults().withBatch(16, 60_000).pinnedTo("astropt-small", 100);
        List<TokenizedCutout> sequences = tokenized(3);
        try (var harness = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(new EmbedOperator(settings))) {
            harness.open();
            for (TokenizedCutout t : sequences) harness.processElement1(new StreamRecord<>(t));
            harness.endInput1();
            assertEquals(0, harness.extractOutputValues().size(), "no model yet: the sequences wait for the models input");
            harness.processElement2(new StreamRecord<>(pinned));
            harness.endInput2();
            List<Embedding> out = harness.extractOutputValues().stream().map(k -> EMBEDDINGS.decode(k.value)).toList();
            assertEquals(sequences.stream().map(t -> t.id).toList(), out.stream().map(Embedding::getId).toList());
            for (Embedding e : out) assertEquals(3L, e.getModelVersion(), e.getId());
        }
        try (var harness = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(new EmbedOperator(settings))) {
            harness.open();
            for (TokenizedCutout t : sequences) harness.processElement1(new StreamRecord<>(t));
            harness.endInput1();
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, harness::endInput2);
            assertEquals("the input ended with 3 token sequences and no model to embed them", e.getMessage());
        }
    }

    /**
     * A version whose weights carry score heads: every Embedding has the heads' scores and its three hardest
     * tokens, and exactly the cutouts with a blank region (what the test's head reads, found here from the tokens
     * themselves) get an ARTEFACT flag naming the head's kind, each an artefact in the survey's truth; a clean
     * galaxy gets none. The same version without heads: surprise only, no flags.
     */
    @Test
    void aVersionWithHeadsScoresEveryCutoutAndFlagsArtefactsWithTheirKind(@TempDir Path dir) throws Exception {
        ModelConfig config = ModelConfig.of(1, 2, 32);
        Path bare = dir.resolve("bare"), withHeads = dir.resolve("heads");
        for (Path folder : List.of(bare, withHeads)) {
            try (AstroPTModel m = AstroPTModel.create(config, AstroPTModel.defaultDevice(), 1)) {
                Checkpoint.save(m, folder, Safetensors.Dtype.F32);
            }
        }
        TiedRegionHeads.of(config.nEmbd()).writeInto(withHeads.resolve(Checkpoint.WEIGHTS_FILE));
        SyntheticSurvey survey = new SyntheticSurvey(9, 64, 40).withArtefacts(0.5, Set.of(ArtefactKind.NAN_BLOCK, ArtefactKind.CHIP_EDGE));
        List<TokenizedCutout> sequences = tokenized(survey, 40);
        Map<String, Integer> index = new HashMap<>();
        Set<String> blank = new HashSet<>();
        for (TokenizedCutout t : sequences) {
            index.put(t.id, index.size());
            if (TiedRegionHeads.hasTiedRegion(TokenRecords.tokens(AvroCodec.of(TokenSequence.class).decode(t.sequence)))) blank.add(t.id);
        }
        assertTrue(blank.size() >= 5 && blank.size() <= 35, "both kinds of cutout in the sample: " + blank.size() + " of 40 blank");

        List<KafkaBytes> out = run(EmbedSettings.defaults().withBatch(8, 60_000).withInitialModel(withHeads.toString()), sequences);
        Set<String> flaggedInRecords = new HashSet<>(), flagged = new HashSet<>();
        int embeddings = 0;
        for (KafkaBytes k : out) {
            if (Topics.FLAGS.equals(k.role)) {
                Flag f = FLAGS.decode(k.value);
                assertEquals(FlagKind.ARTEFACT, f.getKind());
                assertEquals(ModelStore.TIED_KIND, f.getArtefactKind());
                assertTrue(f.getScore() >= f.getThreshold(), f.getId() + ": " + f.getScore() + " < " + f.getThreshold());
                assertEquals("initial", f.getModelName());
                assertTrue(f.getReason().contains("nan block probability"), f.getReason());
                assertTrue(flagged.add(f.getId()), "one flag per cutout: " + f.getId());
                continue;
            }
            Embedding e = EMBEDDINGS.decode(k.value);
            embeddings++;
            assertEquals(Set.of("surprise", "novelty", "artefact", "artefact_" + ModelStore.TIED_KIND), e.getScores().keySet(), e.getId());
            assertEquals((double) e.getSurprise(), e.getScores().get("surprise"), 1e-6, "the surprise field and score agree");
            double p = e.getScores().get("artefact_" + ModelStore.TIED_KIND);
            assertEquals(blank.contains(e.getId()) ? 0.993 : 0.007, p, 0.001, e.getId());
            assertEquals(3, e.getHardestTokens().size(), e.getId());
            assertTrue(e.getHardestTokens().stream().allMatch(pos -> pos >= 1 && pos < 16), e.getHardestTokens().toString());
            if (e.getFlags().contains(FlagKind.ARTEFACT.name())) flaggedInRecords.add(e.getId());
        }
        assertEquals(40, embeddings);
        assertEquals(blank, flagged, "ARTEFACT flags: exactly the cutouts with a blank region");
        assertEquals(flagged, flaggedInRecords, "each Embedding lists the flags written with it");
        for (String id : flagged) {
            assertTrue(!survey.truth(index.get(id)).artefacts().isEmpty(), id + " flagged but clean in the truth");
        }

        List<KafkaBytes> plain = run(EmbedSettings.defaults().withBatch(8, 60_000).withInitialModel(bare.toString()), sequences);
        assertEquals(40, plain.size(), "no flag records without heads");
        for (KafkaBytes k : plain) {
            Embedding e = EMBEDDINGS.decode(k.value);
            assertEquals(Set.of("surprise"), e.getScores().keySet(), e.getId());
            assertEquals(List.of(), e.getFlags());
            assertEquals(3, e.getHardestTokens().size(), "the hardest tokens come from the model alone");
        }
    }

    private static List<KafkaBytes> run(EmbedSettings settings, List<TokenizedCutout> sequences) throws Exception {
        try (var harness = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(new EmbedOperator(settings))) {
            harness.open();
            for (TokenizedCutout t : sequences) harness.processElement1(new StreamRecord<>(t));
            harness.prepareSnapshotPreBarrier(1);
            return harness.extractOutputValues();
        }
    }

    /** Sends the sequences, then a barrier: what has come out by then. */
    private static List<Embedding> embedAll(EmbedSettings settings, List<TokenizedCutout> sequences) throws Exception {
        try (var harness = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(new EmbedOperator(settings))) {
            harness.open();
            for (TokenizedCutout t : sequences) harness.processElement1(new StreamRecord<>(t));
            harness.prepareSnapshotPreBarrier(1);
            return harness.extractOutputValues().stream().map(k -> EMBEDDINGS.decode(k.value)).toList();
        }
    }

    /** Synthetic cutouts through the real tokenize stage. */
    static List<TokenizedCutout> tokenized(int n) throws Exception {
        return tokenized(new SyntheticSurvey(5, 64, n), n);
    }

    static List<TokenizedCutout> tokenized(SyntheticSurvey survey, int n) throws Exception {
        AvroCodec<Cutout> codec = AvroCodec.of(Cutout.class);
        try (var harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new TokenizeFunction(new Properties())))) {
            harness.open();
            for (int i = 0; i < n; i++) {
                Cutout c = Cutout.newBuilder().setId(SyntheticSurvey.id(survey.seed(), i)).setSurvey("synthetic").setFormat(ImageFormat.FITS)
                        .setImage(java.nio.ByteBuffer.wrap(SurveyWriter.fitsBytes(survey.galaxy(i)))).build();
                harness.processElement(new StreamRecord<>(new SourceRecord(null, codec.encode(c), "t", 0, i, 1)));
            }
            return harness.extractOutputValues();
        }
    }
}
