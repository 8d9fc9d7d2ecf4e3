package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's backfill: the pipeline embeds the first objects with v1; when v2 is promoted, a backfill on
 * the same mini cluster re-embeds every object of the token topic with v2, and says so when it is done.
 */
class BackfillRunnerITCase {

    static final int OBJECTS = 30;

    @Test
    void aPromotionBackfillsEveryObjectOfTheTokenTopicWithTheNewVersion(@TempDir Path dir) throws Exception {
        Topics topics = Topics.defaults();
        Properties p = new Properties();
        p.setProperty("pipeline.batch-size", "16");
        p.setProperty("pipeline.batch-delay-ms", "20");
        p.setProperty("pipeline.checkpoint-interval-ms", "300");
        PipelineSettings settings = PipelineSettings.of(p);
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        BackfillRunner.Listener listener = new BackfillRunner.Listener() {
            @Override
            public void started(ModelVersion v) { events.add("started v" + v.getVersion()); }

            @Override
            public void completed(ModelVersion v, long objects, Duration took) { events.add("completed v" + v.getVersion() + " " + objects); }

            @Override
            public void failed(ModelVersion v, Throwable cause) { events.add("failed v" + v.getVersion() + " " + cause); }
        };
        Path data = dir.resolve("data");
        try (LocalStack stack = LocalStack.builder(data, topics).kafka(0).pipeline(0, settings).backfill(listener).start()) {
            String bootstrap = stack.bootstrapServers();
            publish(bootstrap, topics, version(dir.resolve("v1"), 1));
            sendCutouts(bootstrap, topics);
            CommittedRecords.atLeast(bootstrap, topics.name(Topics.EMBEDDINGS), OBJECTS, Duration.ofSeconds(120));
            assertEquals(null, events.poll(), "the first version needs no backfill");

            publish(bootstrap, topics, version(dir.resolve("v2"), 2));
            assertEquals("started v2", events.poll(60, TimeUnit.SECONDS));
            assertEquals("completed v2 " + OBJECTS, events.poll(120, TimeUnit.SECONDS));

            Set<String> backfilled = new HashSet<>();
            AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class);
            List<ConsumerRecord<byte[], byte[]>> read = CommittedRecords.all(bootstrap, topics.name(Topics.EMBEDDINGS), Duration.ofSeconds(30));
            for (ConsumerRecord<byte[], byte[]> r : read) {
                Embedding e = codec.decode(r.value());
                if (e.getModelVersion() != 2) continue;
                assertEquals("astropt:2", e.getMetadata().get(Topics.BACKFILL_METADATA_KEY), e.getId());
                assertTrue(backfilled.add(e.getId()), "backfilled twice: " + e.getId());
            }
            assertEquals(OBJECTS, backfilled.size(), "objects with a v2 embedding");

            // the same job by hand, as on a Compose or real cluster; bad requests are one line
            AstroptCliTest.Run r = AstroptCliTest.run("backfill", "--bootstrap", bootstrap, "--model", "astropt:1");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("backfill astropt v1 done: " + OBJECTS + " objects in "), r.out());
            AstroptCliTest.Run unknown = AstroptCliTest.run("backfill", "--bootstrap", bootstrap, "--model", "astropt:7");
            assertEquals(AstroptCli.EXIT_BAD_INPUT, unknown.exit());
            assertEquals("astropt: --model astropt:7: no such version on astropt.models; `astropt models list` shows them", unknown.err().strip());
            AstroptCliTest.Run notAVersion = AstroptCliTest.run("backfill", "--bootstrap", bootstrap, "--model", "astropt");
            assertEquals("astropt: --model astropt: not NAME:VERSION (e.g. astropt:4)", notAVersion.err().strip());
        }
        assertEquals(List.of("astropt:2"), Files.readAllLines(data.resolve("backfill").resolve("completed")), "remembered for a restart");
    }

    /** A tiny PROMOTED version of astropt (random weights seeded by its number) in its own folder. */
    static ModelVersion version(Path folder, long v) throws Exception {
        ModelConfig config = ModelConfig.of(2, 4, 64);
        try (AstroPTModel m = AstroPTModel.create(config, AstroPTModel.defaultDevice(), v)) {
            Checkpoint.save(m, folder, Safetensors.Dtype.F32);
        }
        ModelFolder f = new ModelFolder(folder);
        return ModelVersion.newBuilder().setName("astropt").setVersion(v).setArchitecture(ModelFolder.architecture(config))
                .setWeightsUri(f.weights().toUri().toString()).setSha256(f.sha256()).setSizeBytes(Files.size(f.weights()))
                .setStatus(ModelStatus.PROMOTED).setCreatedTime(Instant.now()).build();
    }

    static void publish(String bootstrap, Topics topics, ModelVersion v) {
        try (ModelRegistry registry = ModelRegistry.reading(bootstrap, topics.name(Topics.MODELS), "backfill-test-" + v.getVersion())) {
            registry.publish(List.of(v));
        }
    }

    static void sendCutouts(String bootstrap, Topics topics) throws Exception {
        AvroCodec<Cutout> codec = AvroCodec.of(Cutout.class);
        SyntheticSurvey survey = new SyntheticSurvey(41, 64, OBJECTS);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < OBJECTS; i++) {
                String id = SyntheticSurvey.id(41, i);
                Cutout c = Cutout.newBuilder().setId(id).setSurvey("synthetic").setFormat(ImageFormat.FITS)
                        .setImage(java.nio.ByteBuffer.wrap(SurveyWriter.fitsBytes(survey.galaxy(i)))).build();
                producer.send(new ProducerRecord<>(topics.name(Topics.CUTOUTS), id.getBytes(StandardCharsets.UTF_8), codec.encode(c)));
            }
        }
    }

}
