package org.astropt.stream.kafka;

import static org.astropt.stream.kafka.ModelVersionsTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry against the in-process broker: what it publishes is what a fresh read of the topic finds. */
class ModelRegistryTest {

    @Test
    void promoteAndRollbackLandOnTheTopicAndAFailedWriteLeavesNothing(@TempDir Path dir) throws Exception {
        Topics topics = Topics.defaults().withPrefix("mr.");
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir, 0, topics);
             ModelRegistry registry = ModelRegistry.reading(kafka.bootstrapServers(), topics.name(Topics.MODELS), "mr-test")) {
            registry.publish(List.of(record("m", 1, ModelStatus.PROMOTED, "s1"), record("m", 2, ModelStatus.CANDIDATE, "s2")));
            assertEquals(ModelStatus.PROMOTED, registry.promote("m", 2, "by hand").getStatus());
            assertEquals(2, registry.versions().serving("m").orElseThrow().getVersion());

            List<ModelVersion> rollback = registry.rollback("m", "worse on the stream");
            ModelVersions now = ModelRegistry.read(kafka.bootstrapServers(), topics.name(Topics.MODELS));
            assertEquals(rollback.get(1), now.serving("m").orElseThrow());
            assertEquals(3, rollback.get(1).getVersion());
            assertEquals("s1", rollback.get(1).getSha256(), "the weights of v1 again");
            assertEquals(ModelStatus.ROLLED_BACK, now.version("m", 2).orElseThrow().getStatus());

            // over the producer's 1 MB request limit: the write fails whole, and the registry writes again after it
            ModelVersion tooLarge = ModelVersion.newBuilder(record("m", 4, ModelStatus.CANDIDATE, "s4")).setNote("x".repeat(2 << 20)).build();
            ModelRegistryException e = assertThrows(ModelRegistryException.class,
                    () -> registry.publish(List.of(record("m", 4, ModelStatus.CANDIDATE, "s4"), tooLarge)));
            assertEquals(ModelRegistryException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
            assertEquals(4, registry.versions().nextVersion("m"), "nothing of the failed write landed");
            registry.publish(List.of(record("m", 4, ModelStatus.CANDIDATE, "s4")));
            assertEquals(ModelStatus.CANDIDATE, registry.versions().version("m", 4).orElseThrow().getStatus());
        }
    }
}
