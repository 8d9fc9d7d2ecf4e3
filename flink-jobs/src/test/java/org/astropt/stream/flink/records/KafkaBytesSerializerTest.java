package org.astropt.stream.flink.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema.KafkaSinkContext;
import org.junit.jupiter.api.Test;

/** One sink, several topics: a record goes to the topic of its role, or to the sink's own without one. */
class KafkaBytesSerializerTest {

    /** A sink context whose topics have 3 partitions, numbered 10, 11, 12 so that the mapping shows. */
    private static final KafkaSinkContext CONTEXT = new KafkaSinkContext() {
        @Override public int getParallelInstanceId() { return 0; }
        @Override public int getNumberOfParallelInstances() { return 1; }
        @Override public int[] getPartitionsForTopic(String topic) { return new int[] {10, 11, 12}; }
    };

    private final KafkaBytesSerializer serializer =
            new KafkaBytesSerializer("t.embeddings", Map.of("flags", "t.flags", "models", "t.models"));

    @Test
    void aRecordWithoutRoleGoesToTheSinksTopicWithItsPartition() {
        var r = serializer.serialize(KafkaBytes.keyed("id-1", new byte[] {1, 2}, 4), CONTEXT, null);
        assertEquals("t.embeddings", r.topic());
        assertEquals(11, r.partition(), "partition 4 of 3 is the second");
        assertArrayEquals("id-1".getBytes(StandardCharsets.UTF_8), r.key());
        assertArrayEquals(new byte[] {1, 2}, r.value());
    }

    @Test
    void aRecordWithARoleGoesToThatRolesTopic() {
        var flag = serializer.serialize(KafkaBytes.keyed("id-2", new byte[] {3}, -1).to("flags"), CONTEXT, null);
        assertEquals("t.flags", flag.topic());
        assertNull(flag.partition(), "no partition: the key hash decides");
        assertEquals("t.models", serializer.serialize(KafkaBytes.keyed("m:1", new byte[0], -1).to("models"), CONTEXT, null).topic());
    }

    @Test
    void anUnknownRoleIsAnErrorNotADrop() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> serializer.serialize(KafkaBytes.keyed("id-3", new byte[0], -1).to("tokens"), CONTEXT, null));
        assertTrue(e.getMessage().contains("tokens") && e.getMessage().contains("t.embeddings"), e.getMessage());
    }
}
