package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Properties;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.Topics;
import org.junit.jupiter.api.Test;

/** The settings the pipeline's Kafka clients get: the connection's kafka.* keys, the sinks' batches, the overrides. */
class KafkaEdgesTest {

    private static KafkaEdges edges(Properties pipeline) {
        Properties connection = new Properties();
        connection.setProperty("kafka.security.protocol", "SASL_SSL");
        connection.setProperty("kafka.batch.size", "65536");
        KafkaClientSettings kafka = KafkaClientSettings.of("broker:9092", SettingsFile.of(connection));
        return new KafkaEdges(kafka, Topics.defaults(), PipelineSettings.of(pipeline));
    }

    @Test
    void sinksBatchAMegabyteUnlessTheConnectionOrAPipelineKeySaysOtherwise() {
        Properties none = new Properties();
        Properties noConnectionBatch = new Properties();
        noConnectionBatch.setProperty("kafka.security.protocol", "SASL_SSL");
        KafkaEdges plain = new KafkaEdges(KafkaClientSettings.of("broker:9092", SettingsFile.of(noConnectionBatch)),
                Topics.defaults(), PipelineSettings.of(none));
        assertEquals(String.valueOf(KafkaEdges.SINK_BATCH_BYTES), plain.producerProperties().getProperty("batch.size"));
        assertEquals("SASL_SSL", plain.producerProperties().getProperty("security.protocol"));

        assertEquals("65536", edges(none).producerProperties().getProperty("batch.size"), "a kafka.* key is the connection's word");
        Properties p = new Properties();
        p.setProperty("pipeline.producer.batch.size", "16384");
        assertEquals("16384", edges(p).producerProperties().getProperty("batch.size"), "pipeline.producer.* has the last word");
    }

    @Test
    void sourcesGetTheConnectionAndPipelineConsumerKeysAndNoProducerOnes() {
        Properties p = new Properties();
        p.setProperty("pipeline.consumer.fetch.min.bytes", "1048576");
        p.setProperty("pipeline.producer.linger.ms", "20");
        Properties consumer = edges(p).consumerProperties();
        assertEquals("1048576", consumer.getProperty("fetch.min.bytes"));
        assertEquals("-1", consumer.getProperty("receive.buffer.bytes"), "the operating system's socket buffer unless set");
        p.setProperty("pipeline.consumer.receive.buffer.bytes", "65536");
        assertEquals("65536", edges(p).consumerProperties().getProperty("receive.buffer.bytes"));
        assertEquals("SASL_SSL", consumer.getProperty("security.protocol"));
        assertNull(consumer.getProperty("linger.ms"));
        assertEquals("20", edges(p).producerProperties().getProperty("linger.ms"));
        assertNull(edges(p).producerProperties().getProperty("fetch.min.bytes"));
    }
}
