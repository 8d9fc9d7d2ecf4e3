package org.astropt.stream.flink.functions;

import static org.astropt.stream.flink.functions.ModelWithdrawalTest.settle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.TokenPacking;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.ModelPointerDeserializer;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.TokenSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several models at once: a tiny grz-cutout model ({@code astropt}) and a tiny 8 px 3-channel alert-triplet model
 * ({@code astropt-ztf}), both PROMOTED, serve the same operator. Interleaved sequences of both layouts each come
 * out embedded by the model of their layout, in order per model; a new version of one name swaps only that model;
 * a sequence neither reads is dead-lettered naming its layout and both models; a restore serves both again.
 */
class SeveralModelsTest {

    static final AvroCodec<ModelVersion> VERSIONS = AvroCodec.of(ModelVersion.class);
    static final AvroCodec<TokenSequence> SEQUENCES = AvroCodec.of(TokenSequence.class);
    static final ModelConfig GRZ = ModelConfig.of(1, 2, 32);
    static final ModelConfig ALERT = new ModelConfig(1, 2, 32, 3, 64, 8, false, 0.0, InputLayout.ALERT_TRIPLET);

    @Test
    void eachSequenceIsEmbeddedByTheModelOfItsLayoutAndAPromotionSwapsOnlyItsModel(@TempDir Path dir) throws Exception {
        List<TokenizedCutout> galaxies = EmbedOperatorTest.tokenized(8);
        List<TokenizedCutout> alerts = new ArrayList<>();
        for (int i = 0; i < 8; i++) alerts.add(alert(galaxies.get(0), "alert-" + i, 64, 8 * 8 * 3, i));
        EmbedOperator operator = new EmbedOperator(EmbedSettings.defaults().withBatch(3, 60_000));
        try (var h = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(operator)) {
            h.open();
            h.processElement2(model(dir, "astropt", 1, GRZ));
            h.processElement2(model(dir, "astropt-ztf", 1, ALERT));
            settle(h, operator);

            List<Embedding> first = embed(h, interleave(galaxies.subList(0, 5), alerts.subList(0, 5)), 1);
            assertEquals(10, first.size());
            assertEquals(ids(galaxies.subList(0, 5)), idsBy(first, "astropt"), "every galaxy by the grz model, in order");
            assertEquals(ids(alerts.subList(0, 5)), idsBy(first, "astropt-ztf"), "every alert by the alert model, in order");
            for (Embedding e : first) {
                assertEquals(1L, e.getModelVersion(), e.getId());
                assertEquals(32, e.getVector().size(), e.getId());
                assertTrue(e.getVector().stream().allMatch(Float::isFinite), e.getId());
            }

            h.processElement2(model(dir, "astropt", 2, GRZ));
            settle(h, operator);
            List<Embedding> second = embed(h, interleave(galaxies.subList(5, 8), alerts.subList(5, 8)), 2);
            assertEquals(ids(galaxies.subList(5, 8)), idsBy(second, "astropt"));
            assertEquals(ids(alerts.subList(5, 8)), idsBy(second, "astropt-ztf"));
            for (Embedding e : second) {
                assertEquals(e.getModelName().equals("astropt") ? 2L : 1L, e.getModelVersion(), "only astropt swapped: " + e.getId());
            }

            // one channel, 8 px: an alert-triplet shape neither model reads
            h.processElement1(new StreamRecord<>(alert(galaxies.get(0), "one-band", 64, 64, 99)));
            List<DeadLetter> letters = h.extractOutputValues().stream().filter(k -> Topics.DEAD_LETTER.equals(k.role))
                    .map(k -> AvroCodec.of(DeadLetter.class).decode(k.value)).toList();
            assertEquals(1, letters.size());
            assertEquals("one-band: no model served here reads this alert-triplet sequence (64 tokens of 64 values); served:"
                    + " astropt v2 (grz-cutout, up to 1024 tokens of 768), astropt-ztf v1 (alert-triplet, up to 64 tokens of 192)",
                    letters.get(0).getReason());

            h.prepareSnapshotPreBarrier(3);
            var snapshot = h.snapshot(3, 3);
            EmbedOperator again = new EmbedOperator(EmbedSettings.defaults().withBatch(3, 60_000));
            try (var r = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(again)) {
                r.initializeState(snapshot);
                r.open();
                List<Embedding> restored = embed(r, List.of(alerts.get(0), galaxies.get(0)), 4);
                assertEquals(java.util.Map.of(alerts.get(0).id, "astropt-ztf v1", galaxies.get(0).id, "astropt v2"),
                        restored.stream().collect(java.util.stream.Collectors.toMap(Embedding::getId, e -> e.getModelName() + " v" + e.getModelVersion())),
                        "both serve after a restore");
            }
        }
    }

    /**
     * The start-up race: with the grz model serving and the alert model still loading, alert sequences wait for it
     * instead of going to the grz model's dead letters.
     */
    @Test
    void alertSequencesWaitWhileTheAlertModelLoads(@TempDir Path dir) throws Exception {
        TokenizedCutout galaxy = EmbedOperatorTest.tokenized(1).get(0);
        EmbedOperator operator = new EmbedOperator(EmbedSettings.defaults().withBatch(3, 60_000));
        try (var h = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(operator)) {
            h.open();
            h.processElement2(model(dir, "astropt", 1, GRZ));
            settle(h, operator);
            h.processElement2(model(dir, "astropt-ztf", 1, ALERT));
            List<TokenizedCutout> alerts = List.of(alert(galaxy, "a0", 64, 192, 0), alert(galaxy, "a1", 49, 192, 1));
            for (TokenizedCutout t : alerts) h.processElement1(new StreamRecord<>(t));
            settle(h, operator);
            List<Embedding> out = embed(h, List.of(galaxy), 1);
            assertEquals(List.of(), h.extractOutputValues().stream().filter(k -> k.role != null).toList(), "no dead letter");
            assertEquals(List.of("a0", "a1"), idsBy(out, "astropt-ztf"));
            assertEquals(List.of(galaxy.id), idsBy(out, "astropt"));
        }
    }

    /**
     * The demo trained from scratch: the alert starter serves from the start, the galaxy model's first version comes
     * from the trainer's first round later; the galaxies wait for it instead of going to the dead letters.
     */
    @Test
    void galaxiesWaitForTheFirstVersionOfTheirListedModelWhileOnlyTheAlertModelServes(@TempDir Path dir) throws Exception {
        List<TokenizedCutout> galaxies = EmbedOperatorTest.tokenized(2);
        EmbedSettings d = EmbedSettings.defaults().withBatch(3, 60_000);
        EmbedOperator operator = new EmbedOperator(new EmbedSettings(d.batchSize(), d.batchDelayMs(), d.forwardBatchSize(),
                "astropt,astropt-ztf", null, d.maxWaiting(), d.publishStatus(), d.inFlight()));
        try (var h = new TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes>(operator)) {
            h.open();
            h.processElement2(model(dir, "astropt-ztf", 1, ALERT));
            settle(h, operator);
            for (TokenizedCutout t : galaxies) h.processElement1(new StreamRecord<>(t));
            h.setProcessingTime(h.getProcessingTime() + EmbedOperator.LOAD_POLL_MS);
            assertEquals(List.of(), h.extractOutputValues(), "the galaxies wait: no dead letter, no embedding");
            h.processElement2(model(dir, "astropt", 1, GRZ));
            settle(h, operator);
            List<Embedding> out = embed(h, List.of(), 1);
            assertEquals(List.of(), h.extractOutputValues().stream().filter(k -> k.role != null).toList(), "no dead letter");
            assertEquals(ids(galaxies), idsBy(out, "astropt"));
        }
    }

    /** An alert-triplet sequence of random tokens, shaped from a tokenized galaxy's record. */
    private static TokenizedCutout alert(TokenizedCutout template, String id, int tokenCount, int tokenDim, long seed) {
        Random random = new Random(seed);
        float[] data = new float[tokenCount * tokenDim];
        for (int i = 0; i < data.length; i++) data[i] = (float) random.nextGaussian();
        TokenSequence s = TokenSequence.newBuilder(SEQUENCES.decode(template.sequence)).setId(id).setLayout(InputLayout.ALERT_TRIPLET.id())
                .setTokenCount(tokenCount).setTokenDim(tokenDim).setGridSize(8)
                .setTokens(ByteBuffer.wrap(TokenPacking.pack(data, TokenPacking.Precision.FLOAT32))).build();
        TokenizedCutout t = new TokenizedCutout();
        t.id = id;
        t.sequence = SEQUENCES.encode(s);
        t.layout = s.getLayout();
        t.tokenDim = tokenDim;
        t.tokenCount = tokenCount;
        return t;
    }

    private static List<TokenizedCutout> interleave(List<TokenizedCutout> a, List<TokenizedCutout> b) {
        List<TokenizedCutout> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(a.get(i));
            out.add(b.get(i));
        }
        return out;
    }

    private static List<String> ids(List<TokenizedCutout> ts) { return ts.stream().map(t -> t.id).toList(); }

    private static List<String> idsBy(List<Embedding> es, String model) {
        return es.stream().filter(e -> e.getModelName().equals(model)).map(Embedding::getId).toList();
    }

    /** Sends the sequences and a barrier; returns the embeddings that came out for them. */
    private static List<Embedding> embed(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h,
            List<TokenizedCutout> ts, long checkpoint) throws Exception {
        int before = embeddings(h).size();
        for (TokenizedCutout t : ts) h.processElement1(new StreamRecord<>(t));
        h.prepareSnapshotPreBarrier(checkpoint);
        List<KafkaBytes> out = embeddings(h);
        return out.subList(before, out.size()).stream().map(k -> EmbedOperatorTest.EMBEDDINGS.decode(k.value)).toList();
    }

    private static List<KafkaBytes> embeddings(TwoInputStreamOperatorTestHarness<TokenizedCutout, ModelPointer, KafkaBytes> h) {
        return h.extractOutputValues().stream().filter(r -> r.role == null).toList();
    }

    /** A random-init version of a name with the given config, saved under dir, as its PROMOTED record. */
    private static StreamRecord<ModelPointer> model(Path dir, String name, long version, ModelConfig c) throws Exception {
        Path folder = dir.resolve(name).resolve("v" + version);
        try (AstroPTModel m = AstroPTModel.create(c, AstroPTModel.defaultDevice(), version)) {
            Checkpoint.save(m, folder, Safetensors.Dtype.F32);
        }
        Path weights = folder.resolve(Checkpoint.WEIGHTS_FILE);
        ModelVersion v = ModelVersion.newBuilder().setName(name).setVersion(version)
                .setArchitecture(ModelArchitecture.newBuilder().setNLayer(c.nLayer()).setNHead(c.nHead()).setNEmbd(c.nEmbd())
                        .setNChan(c.nChan()).setBlockSize(c.blockSize()).setPatchSize(c.patchSize()).setBias(c.bias())
                        .setDropout(c.dropout()).build())
                .setWeightsUri(weights.toUri().toString()).setSha256(ServingModel.sha256(weights)).setSizeBytes(0)
                .setStatus(ModelStatus.PROMOTED).setCreatedTime(Instant.now()).build();
        byte[] bytes = VERSIONS.encode(v);
        return new StreamRecord<>(ModelPointerDeserializer.pointer(v, bytes));
    }
}
