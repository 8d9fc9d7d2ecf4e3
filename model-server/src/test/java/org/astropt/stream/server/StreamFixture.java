package org.astropt.stream.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.heads.TiedRegionHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.TrainLog;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticGalaxy;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.Flag;
import org.astropt.stream.schemas.FlagKind;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.StageTimings;

/**
 * What the pipeline would leave on the topics, made directly: synthetic grz cutouts (FITS, truth in the
 * header), their embeddings from a real random-weight AstroPT (DJL), flags, and model versions whose
 * weights, metrics.json, train-log.csv and (where published) embedding-stats.json sit in a model folder. One set of topics per fixture on a
 * shared in-process broker.
 */
final class StreamFixture implements AutoCloseable {

    /** Small enough for CI (2 blocks, 64 wide), shaped like AstroPT v1: 16 px patches, 3 bands. */
    static final ModelConfig SMALL = ModelConfig.of(2, 4, 64);
    static final String MODEL = "astropt-test";

    final Topics topics;
    final Path modelDir;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<Cutout> cutouts = AvroCodec.of(Cutout.class);
    private final AvroCodec<Embedding> embeddings = AvroCodec.of(Embedding.class);
    private final AvroCodec<Flag> flags = AvroCodec.of(Flag.class);
    private final AvroCodec<ModelVersion> models = AvroCodec.of(ModelVersion.class);

    StreamFixture(LocalKafkaBroker kafka, String name, Path modelDir) throws InterruptedException {
        this.topics = Topics.defaults().withPrefix(name + ".");
        this.modelDir = modelDir;
        try (var admin = kafka.admin()) {
            topics.create(admin);
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "5", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 << 20)),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Saves random weights (seeded by version) with metrics.json and a short train-log.csv; returns its record. */
    ModelVersion saveVersion(long version, ModelStatus status, double heldOutLoss) throws IOException {
        return saveVersion(version, status, heldOutLoss, false);
    }

    /** The same, with {@link TiedRegionHeads} in the weights file when withHeads (before its sha256 is taken). */
    ModelVersion saveVersion(long version, ModelStatus status, double heldOutLoss, boolean withHeads) throws IOException {
        Path dir = modelDir.resolve("v" + version);
        try (AstroPTModel model = AstroPTModel.create(SMALL, AstroPTModel.defaultDevice(), version)) {
            Checkpoint.save(model, dir, Safetensors.Dtype.F32);
        }
        if (withHeads) TiedRegionHeads.of(SMALL.nEmbd()).writeInto(dir.resolve(Checkpoint.WEIGHTS_FILE));
        new ModelFolder(dir).writeMetrics(Map.of(ModelFolder.HELD_OUT_LOSS, heldOutLoss, "steps", 40));
        StringBuilder log = new StringBuilder(TrainLog.HEADER).append('\n');
        for (int s = 1; s <= 40; s++) log.append(TrainLog.row(s, 0.001, heldOutLoss + 2.0 / s, Double.NaN, 5000, Double.NaN)).append('\n');
        Files.writeString(dir.resolve(ModelFolder.TRAIN_LOG_FILE), log.toString());
        return record(version, dir, status);
    }

    /**
     * Copies a trained model folder (astropt train's config.json, weights.safetensors, train-log.csv) in as
     * version v, with a metrics.json holding its last validation loss; returns its record.
     */
    ModelVersion importVersion(long version, Path trained, ModelStatus status) throws IOException {
        Path dir = modelDir.resolve("v" + version);
        Files.createDirectories(dir);
        for (String f : List.of(Checkpoint.CONFIG_FILE, Checkpoint.WEIGHTS_FILE, ModelFolder.TRAIN_LOG_FILE)) {
            Files.copy(trained.resolve(f), dir.resolve(f));
        }
        Double last = null;
        for (Double v : new ModelFolder(dir).trainLog(Integer.MAX_VALUE).getOrDefault("val_loss", List.of())) {
            if (v != null) last = v;
        }
        if (last != null) new ModelFolder(dir).writeMetrics(Map.of(ModelFolder.HELD_OUT_LOSS, last));
        return record(version, dir, status);
    }

    static ModelVersion record(long version, Path dir, ModelStatus status) throws IOException {
        Path weights = dir.resolve(Checkpoint.WEIGHTS_FILE);
        ModelConfig c = ModelConfig.read(dir.resolve(Checkpoint.CONFIG_FILE));
        return ModelVersion.newBuilder()
                .setName(MODEL).setVersion(version)
                .setArchitecture(ModelArchitecture.newBuilder()
                        .setNLayer(c.nLayer()).setNHead(c.nHead()).setNEmbd(c.nEmbd()).setNChan(c.nChan())
                        .setBlockSize(c.blockSize()).setPatchSize(c.patchSize()).setBias(c.bias())
                        .setDropout(c.dropout()).build())
                .setWeightsUri(weights.toUri().toString())
                .setSha256(Checkpoint.sha256(weights))
                .setSizeBytes(Files.size(weights))
                .setStatus(status)
                .setCreatedTime(Instant.now())
                .build();
    }

    /** What the trainer publishes beside a version: the mean and std of its embeddings of other cutouts (embedding-stats.json). */
    EmbeddingStats publishStatistics(ModelVersion v, List<Galaxy> reference) throws IOException {
        EmbeddingStats stats = EmbeddingStats.of(reference.stream().map(g -> {
            float[] out = new float[g.embedding().getVector().size()];
            for (int i = 0; i < out.length; i++) out[i] = g.embedding().getVector().get(i);
            return out;
        }).toList());
        new ModelFolder(modelDir.resolve("v" + v.getVersion())).writeEmbeddingStats(stats);
        return stats;
    }

    void sendModel(ModelVersion v) {
        send(Topics.MODELS, Topics.modelKey(v.getName(), v.getVersion()), models.encode(v));
    }

    /** A synthetic galaxy as the cutout record a producer sends and the embedding the pipeline would make of it. */
    record Galaxy(SyntheticGalaxy galaxy, Cutout cutout, Embedding embedding) {
        String id() { return cutout.getId(); }
    }

    /** Synthetic 64 x 64 grz galaxies embedded by version v's weights (real forward passes) and scored by its heads, as the pipeline does. */
    List<Galaxy> galaxies(long seed, int from, int count, ModelVersion v) throws IOException {
        SyntheticSurvey survey = new SyntheticSurvey(seed, 64, from + count);
        CutoutDecoder decoder = new CutoutDecoder();
        PatchTokenizer tokenizer = new PatchTokenizer();
        List<Galaxy> out = new ArrayList<>();
        ScoreHeads heads = new ModelFolder(modelDir.resolve("v" + v.getVersion())).heads().orElse(ScoreHeads.NONE);
        try (AstroPTModel model = Checkpoint.load(modelDir.resolve("v" + v.getVersion()), AstroPTModel.defaultDevice());
                Embedder embedder = new Embedder(model, Embedder.Settings.DEFAULT)) {
            List<Cutout> cs = new ArrayList<>();
            List<float[][]> sequences = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                SyntheticGalaxy g = survey.galaxy(i);
                Cutout c = Cutout.newBuilder().setId(g.id()).setSurvey("synthetic-grz").setFormat(ImageFormat.FITS)
                        .setImage(ByteBuffer.wrap(SurveyWriter.fitsBytes(g))).setMetadata(Map.of("producer", "StreamFixture")).build();
                cs.add(c);
                sequences.add(tokenizer.tokenize(g.id(), decoder.decode(c)).rows());
            }
            List<Embedder.Result> results = embedder.embed(sequences);
            long now = System.currentTimeMillis();
            for (int i = 0; i < count; i++) {
                Embedder.Result r = results.get(i);
                List<Float> vector = new ArrayList<>();
                for (float f : r.embedding()) vector.add(f);
                ScoreHeads.Scored scored = heads.score(sequences.get(i), r);
                List<Integer> hardest = new ArrayList<>();
                for (int position : scored.hardestTokens()) hardest.add(position);
                Embedding e = Embedding.newBuilder().setId(cs.get(i).getId()).setModelName(v.getName()).setModelVersion(v.getVersion())
                        .setVector(vector).setSurprise(r.surprise()).setFlags(List.of())
                        .setTimings(StageTimings.newBuilder().setDecodeMicros(300).setTokenizeMicros(200).setEmbedMicros(2000)
                                .setSourceTime(Instant.ofEpochMilli(now - 400)).setProducedTime(Instant.ofEpochMilli(now)).build())
                        .setMetadata(Map.of("producer", "StreamFixture"))
                        .setScores(scored.scores())
                        .setHardestTokens(hardest)
                        .setFlags(scored.flags().stream().map(ScoreHeads.Flagged::flagKind).distinct().toList())
                        .build();
                out.add(new Galaxy(survey.galaxy(from + i), cs.get(i), e));
            }
        }
        return out;
    }

    void sendCutout(Galaxy g) { send(Topics.CUTOUTS, g.id(), cutouts.encode(g.cutout())); }

    void sendEmbedding(Galaxy g) { send(Topics.EMBEDDINGS, g.id(), embeddings.encode(g.embedding())); }

    void sendEmbedding(Embedding e) { send(Topics.EMBEDDINGS, e.getId(), embeddings.encode(e)); }

    void sendFlag(Galaxy g, double threshold) {
        Embedding e = g.embedding();
        send(Topics.FLAGS, g.id(), flags.encode(Flag.newBuilder().setId(g.id()).setKind(FlagKind.ANOMALY)
                .setScore(e.getSurprise()).setThreshold(threshold).setModelName(e.getModelName()).setModelVersion(e.getModelVersion())
                .setReason("surprise above the test threshold").setTime(Instant.now()).build()));
    }

    private void send(String role, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topics.name(role), key.getBytes(StandardCharsets.UTF_8), value));
    }

    void flush() { producer.flush(); }

    @Override
    public void close() {
        producer.close();
    }
}
