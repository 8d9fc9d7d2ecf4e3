package org.astropt.stream.flink;

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
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelStatus;
import org.junit.jupiter.api.AfterAll;
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
    static LocalKafkaBroker kafka;
    static ModelStore store;

    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Topics.defaults());
        store = new ModelStore(dir.resolve("models"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) kafka.close();
    }

    @Test
    void thousandCutoutsGiveThousandEmbeddingsEachIdOnce() throws Exception {
        try (PipelineFixture p = new PipelineFixture(kafka, "thousand")) {
            p.sendModel(ModelStore.pointer("astropt-small", 1, store.save("astropt-small", 1), ModelStatus.PROMOTED));
            List<Cutout> cutouts = new ArrayList<>(PipelineFixture.realGrz());
            cutouts.addAll(p.synthetic(11, 0, 1000 - cutouts.size()));
            p.start(p.settings(2));
            p.sendCutouts(cutouts);

            List<ConsumerRecord<byte[], byte[]>> read = p.committed(Topics.EMBEDDINGS, 1000, Duration.ofSeconds(120));
            assertEquals(1000, read.size(), "embeddings read with read_committed");
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : read) {
                Embedding e = EMBEDDINGS.decode(r.value());
                assertTrue(ids.add(e.getId()), "id twice: " + e.getId());
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
        }
    }
}
