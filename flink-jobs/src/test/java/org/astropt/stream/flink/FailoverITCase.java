package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two TaskManagers killed one after the other mid-stream: the job restores and the output stays exactly-once. */
class FailoverITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2).setNumberSlotsPerTaskManager(1).build());

    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);

    @Test
    void taskManagerKilledTwiceMidStreamStillExactlyOnce(@TempDir Path dir, @InjectMiniCluster MiniCluster flink) throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Topics.defaults());
             PipelineFixture p = new PipelineFixture(kafka, "failover")) {
            p.sendModel(ModelStore.pointer("astropt-small", 1, store.save("astropt-small", 1), ModelStatus.PROMOTED));
            p.start(p.settings(2));
            List<Cutout> cutouts = p.synthetic(31, 0, 900);
            p.sendCutouts(cutouts.subList(0, 300));
            p.committed(Topics.EMBEDDINGS, 100, Duration.ofSeconds(90));
            flink.terminateTaskManager(0).get();
            p.sendCutouts(cutouts.subList(300, 600));
            flink.startTaskManager();
            p.committed(Topics.EMBEDDINGS, 400, Duration.ofSeconds(90));
            flink.terminateTaskManager(1).get();
            p.sendCutouts(cutouts.subList(600, 900));
            flink.startTaskManager();

            List<ConsumerRecord<byte[], byte[]>> read = p.committed(Topics.EMBEDDINGS, 900, Duration.ofSeconds(120));
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : read) {
                assertTrue(ids.add(EMBEDDINGS.decode(r.value()).getId()), "duplicate after failover");
            }
            assertEquals(900, read.size(), "embeddings after two TaskManager failures");
            Set<String> sent = new HashSet<>();
            cutouts.forEach(c -> sent.add(c.getId()));
            assertEquals(sent, ids);
        }
    }
}
