package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.kafka.InProcessBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.Flag;
import org.astropt.stream.schemas.FlagKind;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.ModelStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on a Flink mini cluster against the real in-process broker, exactly-once, read_committed. */
class EmbeddingPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path dir;
    @RegisterExtension
    static final InProcessBroker kafka = new InProcessBroker();
    static ModelStore store;

    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);
    static final AvroCodec<Flag> FLAGS = AvroCodec.of(Flag.class);
    static final AvroCodec<DeadLetter> DEAD_LETTERS = AvroCodec.of(DeadLetter.class);
    /** The truth of p.synthetic(11, ...), the survey of the thousand-cutout test. */
    static final org.astropt.stream.core.sim.SyntheticSurvey TRUTH = new org.astropt.stream.core.sim.SyntheticSurvey(11, 64, 1000);

    @BeforeAll
    static void openStore() {
        store = new ModelStore(dir.resolve("models"));
    }

    @Test
    void thousandCutoutsGiveThousandEmbeddingsEachIdOnce() throws Exception {
        try (PipelineFixture p = new PipelineFixture(kafka.broker(), "thousand")) {
            // a version with score heads: its artefact_nan_block head flags cutouts with a blank region
            p.sendModel(ModelStore.pointer("astropt-small", 1, store.saveWithHeads("astropt-small", 1), ModelStatus.PROMOTED));
            List<Cutout> cutouts = new ArrayList<>(PipelineFixture.realGrz());
            cutouts.addAll(p.synthetic(11, 0, 1000 - cutouts.size()));
            p.start(p.settings(2));
            p.sendCutouts(cutouts);

            List<ConsumerRecord<byte[], byte[]>> read = p.committed(Topics.EMBEDDINGS, 1000, Duration.ofSeconds(120));
            assertEquals(1000, read.size(), "embeddings read with read_committed");
            Set<String> ids = new HashSet<>();
            Set<String> artefacts = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : read) {
                Embedding e = EMBEDDINGS.decode(r.value());
                assertTrue(ids.add(e.getId()), "id twice: " + e.getId());
                if (e.getFlags().contains(FlagKind.ARTEFACT.name())) artefacts.add(e.getId());
                assertEquals(Set.of("surprise", "novelty", "artefact", "artefact_" + ModelStore.TIED_KIND), e.getScores().keySet(), e.getId());
                assertEquals(3, e.getHardestTokens().size(), e.getId());
                assertEquals(e.getId(), new String(r.key(), StandardCharsets.UTF_8));
                assertEquals("astropt-small", e.getModelName());
                assertEquals(1L, e.getModelVersion());
                assertEquals(ModelStore.SMALL.nEmbd(), e.getVector().size());
                assertTrue(e.getVector().stream().allMatch(Float::isFinite), e.getId());
                assertTrue(Float.isFinite(e.getSurprise()), e.getId());
            }
            Set<String> sent = new HashSet<>();
            cutouts.forEach(c -> sent.add(c.getId()));
            assertEquals(sent, ids);
            assertEquals(1000, p.committed(Topics.TOKENS, 1000, Duration.ofSeconds(30)).size(), "token records");
            // the synthetic survey blanks a region (NaN block, chip edge, clipped star...) in part of its 30% with artefacts
            assertTrue(artefacts.size() > 10, "only " + artefacts.size() + " embeddings flagged ARTEFACT");
            Set<String> flagged = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : p.committed(Topics.FLAGS, artefacts.size(), Duration.ofSeconds(30))) {
                Flag f = FLAGS.decode(r.value());
                assertTrue(flagged.add(f.getId()), "flag twice: " + f.getId());
                assertEquals(FlagKind.ARTEFACT, f.getKind());
                assertEquals(ModelStore.TIED_KIND, f.getArtefactKind());
                assertEquals(1L, f.getModelVersion());
                assertTrue(f.getScore() >= f.getThreshold(), f.getId() + ": " + f.getScore() + " < " + f.getThreshold());
            }
            assertEquals(artefacts, flagged, "one ARTEFACT flag record per embedding flagged ARTEFACT");
            for (Cutout c : cutouts) {
                if (flagged.contains(c.getId()) && c.getId().startsWith("syn-")) {
                    int index = Integer.parseInt(c.getId().substring(c.getId().lastIndexOf('-') + 1));
                    assertTrue(!TRUTH.truth(index).artefacts().isEmpty(), c.getId() + " flagged, clean in the survey's truth");
                }
            }
        }
    }

    @Test
    void badInputsBecomeDeadLettersWithTheirBytesAndTheJobKeepsRunning() throws Exception {
        try (PipelineFixture p = new PipelineFixture(kafka.broker(), "dead")) {
            p.sendModel(ModelStore.pointer("astropt-small", 1, store.save("astropt-small", 1), ModelStatus.PROMOTED));
            p.start(p.settings(2));
            Map<String, byte[]> bad = badInputs(p);
            for (Map.Entry<String, byte[]> e : bad.entrySet()) {
                p.send(Topics.CUTOUTS, e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue());
            }
            p.sendCutouts(p.synthetic(12, 0, 50));

            List<ConsumerRecord<byte[], byte[]>> letters = p.committed(Topics.DEAD_LETTER, 200, Duration.ofSeconds(90));
            assertEquals(200, letters.size(), "dead letters");
            Map<String, Integer> kinds = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : letters) {
                DeadLetter d = DEAD_LETTERS.decode(r.value());
                String key = new String(d.getKey().array(), StandardCharsets.UTF_8);
                byte[] original = bad.get(key);
                if (original == null) {
                    assertEquals(null, d.getValue(), key);
                } else {
                    byte[] got = new byte[d.getValue().remaining()];
                    d.getValue().duplicate().get(got);
                    assertArrayEquals(original, got, key);
                }
                assertEquals(p.topics.name(Topics.CUTOUTS), d.getSourceTopic());
                assertTrue(d.getSourceOffset() != null && d.getSourcePartition() != null, key);
                assertFalse(d.getReason().isBlank(), key);
                assertFalse(d.getReason().contains("\n"), key);
                kinds.merge(key.substring(0, key.lastIndexOf('-')) + ":" + d.getStage(), 1, Integer::sum);
            }
            assertEquals(Map.of("not-avro:DESERIALIZE", 25, "no-value:DESERIALIZE", 25, "truncated:DESERIALIZE", 25,
                    "empty-id:VALIDATE", 25, "broken-fits:DECODE", 25, "raw-no-size:DECODE", 25,
                    "too-small:TOKENIZE", 25, "all-nan:TOKENIZE", 25), kinds);
            assertEquals(50, p.committed(Topics.EMBEDDINGS, 50, Duration.ofSeconds(60)).size(), "good cutouts after the bad ones");
        }
    }

    /** 8 kinds x 25: key -> value bytes (null value for the no-value kind). */
    private static Map<String, byte[]> badInputs(PipelineFixture p) throws Exception {
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        java.util.Random random = new java.util.Random(3);
        byte[] good = PipelineFixture.CUTOUTS.encode(p.synthetic(13, 0, 1).get(0));
        for (int i = 0; i < 25; i++) {
            byte[] noise = new byte[100 + i];
            random.nextBytes(noise);
            out.put("not-avro-" + i, noise);
            out.put("no-value-" + i, null);
            out.put("truncated-" + i, java.util.Arrays.copyOf(good, good.length / 2 + i));
            out.put("empty-id-" + i, PipelineFixture.CUTOUTS.encode(PipelineFixture.cutout("", "x", ImageFormat.FITS, good, null, null)));
            out.put("broken-fits-" + i, PipelineFixture.CUTOUTS.encode(PipelineFixture.cutout("bf" + i, "x", ImageFormat.FITS, noise, null, null)));
            out.put("raw-no-size-" + i, PipelineFixture.CUTOUTS.encode(PipelineFixture.cutout("rn" + i, "x", ImageFormat.RAW_FLOAT32, new byte[3 * 32 * 32 * 4], null, null)));
            out.put("too-small-" + i, PipelineFixture.CUTOUTS.encode(PipelineFixture.cutout("ts" + i, "x", ImageFormat.RAW_FLOAT32, new byte[3 * 8 * 8 * 4], 8, 8)));
            java.nio.ByteBuffer nan = java.nio.ByteBuffer.allocate(3 * 32 * 32 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (nan.hasRemaining()) nan.putFloat(Float.NaN);
            out.put("all-nan-" + i, PipelineFixture.CUTOUTS.encode(PipelineFixture.cutout("an" + i, "x", ImageFormat.RAW_FLOAT32, nan.array(), 32, 32)));
        }
        return out;
    }

    @Test
    void hotSwapLosesAndDuplicatesNothingVersionsNeverGoBackAndBadVersionsAreRefused() throws Exception {
        try (PipelineFixture p = new PipelineFixture(kafka.broker(), "swap")) {
            p.sendModel(ModelStore.pointer("astropt-small", 1, store.save("astropt-small", 1), ModelStatus.PROMOTED));
            p.start(p.settings(2));
            List<Cutout> first = p.synthetic(21, 0, 300);
            List<Cutout> second = p.synthetic(21, 300, 300);
            List<Cutout> third = p.synthetic(21, 600, 300);
            p.sendCutouts(first);
            p.committed(Topics.EMBEDDINGS, 100, Duration.ofSeconds(60));
            // v1 has no score heads, v2 has: its heads swap in with it
            p.sendModel(ModelStore.pointer("astropt-small", 2, store.saveWithHeads("astropt-small", 2), ModelStatus.PROMOTED));
            p.sendCutouts(second);
            // Each bad version waits for the refusal of the one before: a version that arrives while an
            // older one still loads supersedes it (only the highest PROMOTED version serves), and the
            // superseded one would never be tried. Records: v1, v2, then per bad version its pointer and REJECTED.
            Path v3 = store.save("astropt-small", 3);
            p.sendModel(ModelStore.pointer("astropt-small", 3, v3.resolve("weights.safetensors").toUri().toString(),
                    "0".repeat(64), ModelStatus.PROMOTED));
            p.committed(Topics.MODELS, 4, Duration.ofSeconds(90));
            p.sendModel(ModelStore.pointer("astropt-small", 4, store.saveNaN("astropt-small", 4), ModelStatus.PROMOTED));
            p.committed(Topics.MODELS, 6, Duration.ofSeconds(90));
            p.sendModel(ModelStore.pointer("astropt-small", 5, dir.resolve("nowhere/weights.safetensors").toUri().toString(),
                    "0".repeat(64), ModelStatus.PROMOTED));
            // 5 pointers written, then 3 REJECTED status records from the pipeline
            List<ConsumerRecord<byte[], byte[]>> models = p.committed(Topics.MODELS, 8, Duration.ofSeconds(90));
            Map<Long, String> rejected = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : models) {
                ModelVersion v = PipelineFixture.MODELS.decode(r.value());
                if (v.getStatus() == ModelStatus.REJECTED) rejected.put(v.getVersion(), v.getNote());
                // keyed <name>:<version>, so compaction keeps every version's latest status
                assertEquals("astropt-small:" + v.getVersion(), new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
            }
            assertEquals(Set.of(3L, 4L, 5L), rejected.keySet(), "refused versions");
            assertTrue(rejected.get(3L).contains("checksum"), rejected.get(3L));
            assertTrue(rejected.get(4L).contains("non-finite"), rejected.get(4L));
            assertTrue(rejected.get(5L).contains("does not exist"), rejected.get(5L));
            p.sendCutouts(third);

            List<ConsumerRecord<byte[], byte[]>> read = p.committed(Topics.EMBEDDINGS, 900, Duration.ofSeconds(120));
            assertEquals(900, read.size(), "embeddings");
            Set<String> ids = new HashSet<>();
            Map<Integer, Long> lastVersion = new HashMap<>();
            Set<String> thirdIds = new HashSet<>();
            third.forEach(c -> thirdIds.add(c.getId()));
            read.sort(java.util.Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition()).thenComparingLong(ConsumerRecord::offset));
            for (ConsumerRecord<byte[], byte[]> r : read) {
                Embedding e = EMBEDDINGS.decode(r.value());
                assertTrue(ids.add(e.getId()), "id twice: " + e.getId());
                long before = lastVersion.getOrDefault(r.partition(), 0L);
                assertTrue(e.getModelVersion() >= before, "partition " + r.partition() + " went back from v" + before + " to v" + e.getModelVersion());
                lastVersion.put(r.partition(), e.getModelVersion());
                assertTrue(e.getModelVersion() == 1 || e.getModelVersion() == 2, e.getId() + " v" + e.getModelVersion());
                assertEquals(e.getModelVersion() == 1 ? Set.of("surprise") : Set.of("surprise", "novelty", "artefact", "artefact_" + ModelStore.TIED_KIND),
                        e.getScores().keySet(), e.getId() + " v" + e.getModelVersion());
                if (e.getModelVersion() == 1) assertEquals(List.of(), e.getFlags(), e.getId() + ": v1 has no heads, so no flags");
                if (thirdIds.contains(e.getId())) assertEquals(2L, e.getModelVersion(), e.getId() + " after the refused versions");
            }
            assertEquals(900, ids.size());
        }
    }
}
