package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.flink.EmbeddingPipeline;
import org.astropt.stream.flink.KafkaEdges;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop closed: cutouts into the running pipeline, its tokens into the trainer, the trainer's versions back
 * into the pipeline, which swaps to a PROMOTED one and stays on it when the next is REJECTED.
 */
class PipelineSwapITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);
    static final long SEED = 9;

    @TempDir
    Path dir;

    @Test
    void theStreamSwapsToWhatTheTrainerPromotesAndStaysWhenItRejects() throws Exception {
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Topics.defaults());
             KafkaProducer<byte[], byte[]> producer = TokenFeed.producer(kafka)) {
            Topics topics = TokenFeed.topics(kafka, "swap");
            SyntheticSurvey survey = new SyntheticSurvey(SEED, TokenFeed.SIZE, 200);
            JobClient job = startPipeline(kafka, topics);
            try {
                send(producer, topics, survey, 0, 60);
                CommittedRecords.atLeast(kafka.bootstrapServers(), topics.name(Topics.TOKENS), 60, Duration.ofSeconds(90));
                TrainerSettings settings = TokenFeed.settings(kafka, "swap", dir, 10);

                try (ContinuousTrainer trainer = new ContinuousTrainer(settings, topics, new ContinuousTrainer.Listener() {})) {
                    RoundResult v1 = trainer.runRound().orElseThrow();
                    assertEquals(ModelStatus.PROMOTED, v1.status());
                }
                // Cutouts keep coming; embeddings tagged v1 appear once the pipeline has swapped.
                int next = 60;
                boolean swapped = false;
                for (int tries = 0; tries < 10 && !swapped; tries++, next += 10) {
                    send(producer, topics, survey, next, 10);
                    swapped = embeddingsOf(kafka, topics, next, 10).containsValue(1L);
                }
                assertTrue(swapped, "embeddings tagged v1 appear");

                try (ContinuousTrainer diverging = new ContinuousTrainer(settings.withLearningRate(5.0), topics, new ContinuousTrainer.Listener() {})) {
                    RoundResult v2 = diverging.runRound().orElseThrow();
                    assertEquals(2, v2.version());
                    assertEquals(ModelStatus.REJECTED, v2.status(), v2.toString());
                }
                send(producer, topics, survey, next, 10);
                Map<String, Long> after = embeddingsOf(kafka, topics, next, 10);
                assertEquals(Set.of(1L), Set.copyOf(after.values()), "the stream stays on v1: " + after);
            } finally {
                job.cancel().get();
            }
        }
    }

    private JobClient startPipeline(LocalKafkaBroker kafka, Topics topics) throws Exception {
        Path initial = dir.resolve("initial-model");
        try (AstroPTModel model = AstroPTModel.create(TrainerSettings.presetOf(TokenFeed.TINY).config(), AstroPTModel.defaultDevice(), 99)) {
            Checkpoint.save(model, initial, Safetensors.Dtype.F32);
        }
        Properties p = new Properties();
        p.setProperty("pipeline.batch-size", "16");
        p.setProperty("pipeline.batch-delay-ms", "20");
        p.setProperty("pipeline.checkpoint-interval-ms", "300");
        p.setProperty("pipeline.transactional-id-prefix", "swap");
        p.setProperty("pipeline.group-id", "swap");
        p.setProperty("pipeline.model-name", TrainerSettings.defaults().modelName());
        p.setProperty("pipeline.initial-model", initial.toString());
        PipelineSettings settings = PipelineSettings.of(p);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        KafkaEdges edges = new KafkaEdges(KafkaClientSettings.plaintext(kafka.bootstrapServers()), topics, settings);
        new EmbeddingPipeline(settings).build(env, edges, edges.sinks());
        return env.executeAsync("swap");
    }

    /** Sends galaxies from..from+count-1 as Cutout records. */
    private static void send(KafkaProducer<byte[], byte[]> producer, Topics topics, SyntheticSurvey survey, int from, int count)
            throws Exception {
        for (int i = from; i < from + count; i++) {
            Cutout c = TokenFeed.cutout(survey, SEED, i);
            producer.send(new ProducerRecord<>(topics.name(Topics.CUTOUTS), c.getId().getBytes(StandardCharsets.UTF_8), TokenFeed.CUTOUTS.encode(c)));
        }
        producer.flush();
    }

    /** Model version per id of the embeddings of galaxies from..from+count-1, once all are there. */
    private static Map<String, Long> embeddingsOf(LocalKafkaBroker kafka, Topics topics, int from, int count) {
        Set<String> ids = IntStream.range(from, from + count).mapToObj(i -> SyntheticSurvey.id(SEED, i)).collect(Collectors.toSet());
        List<ConsumerRecord<byte[], byte[]>> read = CommittedRecords.read(kafka.bootstrapServers(), topics.name(Topics.EMBEDDINGS),
                r -> versions(r).keySet().containsAll(ids), Duration.ofSeconds(60), Duration.ofMillis(200));
        Map<String, Long> out = new HashMap<>(versions(read));
        out.keySet().retainAll(ids);
        return out;
    }

    private static Map<String, Long> versions(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Long> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Embedding e = EMBEDDINGS.decode(r.value());
            out.put(e.getId(), e.getModelVersion());
        }
        return out;
    }
}
