package org.astropt.stream.flink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.ModelVersion;

/**
 * One pipeline under test: its own topics on the shared broker, a producer, the job, committed reads; all of
 * them connect with one {@link KafkaClientSettings} (PLAINTEXT, or the SASL_SSL listener of a secured broker).
 */
final class PipelineFixture implements AutoCloseable {

    static final AvroCodec<Cutout> CUTOUTS = AvroCodec.of(Cutout.class);
    static final AvroCodec<ModelVersion> MODELS = AvroCodec.of(ModelVersion.class);

    final LocalKafkaBroker kafka;
    final Topics topics;
    final String name;
    final KafkaClientSettings client;
    private final KafkaProducer<byte[], byte[]> producer;
    private JobClient job;

    PipelineFixture(LocalKafkaBroker kafka, String name) throws InterruptedException {
        this(kafka, name, KafkaClientSettings.plaintext(kafka.bootstrapServers()));
    }

    /** Topics made on the broker's PLAINTEXT listener; the producer, the job and the reads connect as client. */
    PipelineFixture(LocalKafkaBroker kafka, String name, KafkaClientSettings client) throws InterruptedException {
        this.kafka = kafka;
        this.name = name;
        this.client = client;
        this.topics = Topics.defaults().withPrefix(name + ".");
        try (var admin = kafka.admin()) {
            topics.create(admin);
        }
        producer = new KafkaProducer<>(client.config(Map.of(ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(KafkaEdges.MAX_RECORD_BYTES))),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Small micro-batches and checkpoints every 300 ms so a test sees committed output quickly. */
    PipelineSettings settings(int parallelism) {
        Properties p = new Properties();
        p.setProperty("pipeline.batch-size", "16");
        p.setProperty("pipeline.batch-delay-ms", "20");
        p.setProperty("pipeline.checkpoint-interval-ms", "300");
        p.setProperty("pipeline.transactional-id-prefix", name);
        p.setProperty("pipeline.group-id", name);
        return PipelineSettings.of(p).withParallelism(parallelism);
    }

    JobClient start(PipelineSettings settings) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        KafkaEdges edges = new KafkaEdges(client, topics, settings);
        new EmbeddingPipeline(settings).build(env, edges, edges.sinks());
        job = env.executeAsync(name);
        return job;
    }

    JobID jobId() { return job.getJobID(); }

    void send(String role, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topics.name(role), key, value));
    }

    /** Sends to a topic by its full name (an input other than the cutouts topic). */
    void sendTo(String topic, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    void sendModel(ModelVersion v) {
        send(Topics.MODELS, ModelPointer.topicKey(v.getName(), v.getVersion()).getBytes(StandardCharsets.UTF_8), MODELS.encode(v));
        producer.flush();
    }

    void flush() { producer.flush(); }

    /** Synthetic 64 x 64 grz cutouts as FITS cubes, ids syn-<seed>-<index>. */
    List<Cutout> synthetic(long seed, int from, int count) throws IOException {
        SyntheticSurvey survey = new SyntheticSurvey(seed, 64, from + count);
        List<Cutout> out = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            out.add(cutout(SyntheticSurvey.id(seed, i), "synthetic", ImageFormat.FITS, SurveyWriter.fitsBytes(survey.galaxy(i)), null, null));
        }
        return out;
    }

    /**
     * The real DECaLS DR9 g, r, z crops as one grz cutout of raw float32 planes; empty when the shared data is
     * absent (a failure under -Dastropt.requireFixtures=true).
     */
    static List<Cutout> realGrz() throws IOException {
        Optional<Path> found = SharedFixtures.find(Path.of("data", "real", "decals_dr9_S4_g.fits"));
        if (found.isEmpty()) return List.of();
        Path real = found.get().getParent();
        CutoutImage grz = new CutoutDecoder().decodeBands(List.of(real.resolve("decals_dr9_S4_g.fits"),
                real.resolve("decals_dr9_S4_r.fits"), real.resolve("decals_dr9_S4_z.fits")));
        int h = grz.height();
        int w = grz.width();
        ByteBuffer b = ByteBuffer.allocate(grz.bandCount() * h * w * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float[][] band : grz.pixels()) for (float[] row : band) for (float v : row) b.putFloat(v);
        return List.of(cutout("decals-dr9-S4", "DECaLS-DR9", ImageFormat.RAW_FLOAT32, b.array(), w, h));
    }

    static Cutout cutout(String id, String survey, ImageFormat format, byte[] image, Integer width, Integer height) {
        return Cutout.newBuilder().setId(id).setSurvey(survey).setFormat(format).setImage(ByteBuffer.wrap(image))
                .setWidth(width).setHeight(height).build();
    }

    void sendCutouts(List<Cutout> cutouts) {
        for (Cutout c : cutouts) send(Topics.CUTOUTS, c.getId().getBytes(StandardCharsets.UTF_8), CUTOUTS.encode(c));
        producer.flush();
    }

    List<ConsumerRecord<byte[], byte[]>> committed(String role, int atLeast, Duration timeout) {
        return CommittedRecords.atLeast(client, topics.name(role), atLeast, timeout);
    }

    @Override
    public void close() throws Exception {
        producer.close();
        if (job != null) {
            try {
                job.cancel().get();
            } catch (Exception ignored) {
                // already finished or failed: the assertions said why
            }
        }
    }
}
