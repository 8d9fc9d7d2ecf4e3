package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.astropt.stream.kafka.TopicSpec;
import org.astropt.stream.kafka.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stack of only the parts a caller asks for (the benchmark's broker alone, or broker and Flink). */
class LocalStackTest {

    @Test
    void aBrokerAloneHasTheTopicsAndNoOtherPart(@TempDir Path dir) throws Exception {
        Topics topics = Topics.defaults().withPrefix("alone.");
        try (LocalStack stack = LocalStack.builder(dir, topics).kafka(0).start();
             Admin admin = Admin.create(java.util.Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            Set<String> names = admin.listTopics().names().get();
            for (TopicSpec t : topics.all()) assertTrue(names.contains(t.name()), t.name() + " in " + names);
            IllegalStateException e = assertThrows(IllegalStateException.class, stack::flink);
            assertEquals("this local stack was built without Flink", e.getMessage());
            assertThrows(IllegalStateException.class, stack::trainer);
        }
        assertTrue(Files.isDirectory(dir.resolve("kafka")), "the broker's log lives in DATA/kafka");
    }

    @Test
    void aStackWithoutABrokerIsRefusedBeforeAnythingStarts(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LocalStack.builder(dir, Topics.defaults()).flink(0, 1, new org.apache.flink.configuration.Configuration()).start());
        assertTrue(e.getMessage().contains("needs a broker"), e.getMessage());
    }
}
