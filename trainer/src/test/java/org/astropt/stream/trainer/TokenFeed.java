package org.astropt.stream.trainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.sim.AlertSimulator;
import org.astropt.stream.core.sim.AlertSurvey;
import org.astropt.stream.core.sim.SimulatedAlert;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.sim.ZtfPacketWriter;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenPacking;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.TokenSequence;

/** Test input: synthetic galaxies tokenized as the pipeline does (FITS -> decoder -> tokenizer -> TokenSequence, truth cards in the metadata). */
final class TokenFeed {

    static final AvroCodec<Cutout> CUTOUTS = AvroCodec.of(Cutout.class);
    static final AvroCodec<TokenSequence> TOKENS = AvroCodec.of(TokenSequence.class);
    /** 32 x 32 px: 4 tokens of 768 values, the cheapest cutout the model reads. */
    static final int SIZE = 32;
    /** The real ZTF alert packet of the shared folder (data/real): the synthetic packets carry its schema. */
    static final String ZTF_SAMPLE = "ztf_739260766315010006.avro";
    /** A tiny model: 2 blocks, 4 heads, 64 wide. */
    static final String TINY = "2/4/64";

    private TokenFeed() {}

    /** A synthetic survey galaxy as the Cutout record a producer sends (FITS cube, truth in the header). */
    static Cutout cutout(SyntheticSurvey survey, long seed, int i) throws IOException {
        return Cutout.newBuilder().setId(SyntheticSurvey.id(seed, i)).setSurvey("synthetic").setFormat(ImageFormat.FITS)
                .setImage(ByteBuffer.wrap(SurveyWriter.fitsBytes(survey.galaxy(i)))).build();
    }

    /** Sends galaxies from..from+count-1 of survey seed as token records. */
    static void sendTokens(LocalKafkaBroker kafka, Topics topics, long seed, int from, int count) throws IOException {
        sendTokens(kafka, topics, seed, from, count, TokenizerSettings.defaults().withSize(SIZE));
    }

    /** Sends galaxies from..from+count-1 of survey seed as grz-cutout token records made with these tokenizer settings. */
    static void sendTokens(LocalKafkaBroker kafka, Topics topics, long seed, int from, int count, TokenizerSettings tokenizing)
            throws IOException {
        SyntheticSurvey survey = new SyntheticSurvey(seed, SIZE, from + count);
        CutoutDecoder decoder = new CutoutDecoder();
        PatchTokenizer tokenizer = new PatchTokenizer(tokenizing);
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (int i = from; i < from + count; i++) {
                Cutout c = cutout(survey, seed, i);
                CutoutImage image = decoder.decode(c);
                TokenSequence s = TokenRecords.sequence(c, image.metadata(), tokenizer.tokenize(c.getId(), image),
                        new SourceRecord(null, null, "test", -1, -1, 0));
                producer.send(new ProducerRecord<>(topics.name(Topics.TOKENS), c.getId().getBytes(StandardCharsets.UTF_8), TOKENS.encode(s)));
            }
        }
    }

    /**
     * Sends alerts from..from+count-1 of the synthetic ZTF stream of seed as alert-triplet token records, as the
     * pipeline makes them from astropt.alerts.ztf: each a ZTF packet with the real packet's schema, decoded to its
     * science/template/difference triplet and tokenized in 8 px patches (tokenizer.alert-triplet.patch-size), keyed
     * by candid; returns their ids.
     */
    static List<String> sendAlertTokens(LocalKafkaBroker kafka, Topics topics, long seed, int from, int count) throws IOException {
        ZtfPacketWriter packets = ZtfPacketWriter.fromSample(SharedFixtures.realData(ZTF_SAMPLE));
        AlertSimulator alerts = new AlertSimulator(AlertSurvey.ZTF, seed);
        CutoutDecoder decoder = new CutoutDecoder();
        AlertTripletTokenizer tokenizer = new AlertTripletTokenizer(AstroptConfig.defaults().alertTripletTokenizerSettings());
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (int i = from; i < from + count; i++) {
                SimulatedAlert a = alerts.alert(i);
                byte[] packet = packets.packet(a);
                String candid = String.valueOf(a.truth().sourceId());
                CutoutImage triplet = decoder.decodeAlertTriplet(packet, a.truth().fileName());
                Cutout c = Cutout.newBuilder().setId(candid).setSurvey("ZTF").setFormat(ImageFormat.ZTF_ALERT)
                        .setImage(ByteBuffer.wrap(packet)).build();
                TokenSequence s = TokenRecords.sequence(c, triplet.metadata(), tokenizer.tokenize(candid, triplet),
                        new SourceRecord(null, null, "test", -1, -1, 0), InputLayout.ALERT_TRIPLET, TokenPacking.Precision.FLOAT32);
                producer.send(new ProducerRecord<>(topics.name(Topics.TOKENS), candid.getBytes(StandardCharsets.UTF_8), TOKENS.encode(s)));
                ids.add(candid);
            }
        }
        return ids;
    }

    static KafkaProducer<byte[], byte[]> producer(LocalKafkaBroker kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "5"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Trainer settings for tests: the tiny model, small batches, 30% held out (enough objects for the probes). */
    static TrainerSettings settings(LocalKafkaBroker kafka, String name, Path dir, int steps) {
        return settings(kafka, name, dir, steps, Map.of());
    }

    /** {@link #settings(LocalKafkaBroker, String, Path, int)} with more keys laid over (e.g. trainer.models). */
    static TrainerSettings settings(LocalKafkaBroker kafka, String name, Path dir, int steps, Map<String, String> more) {
        Properties p = new Properties();
        p.setProperty("trainer.bootstrap-servers", kafka.bootstrapServers());
        p.setProperty("trainer.group-id", name + "-trainer");
        p.setProperty("trainer.transactional-id", name + "-trainer");
        p.setProperty("trainer.model-store", dir.resolve("store").toUri().toString());
        p.setProperty("trainer.state-dir", dir.resolve("state").toString());
        p.setProperty("trainer.preset", TINY);
        p.setProperty("trainer.batch-size", "8");
        p.setProperty("trainer.steps-per-round", String.valueOf(steps));
        p.setProperty("trainer.checkpoint-every", "5");
        p.setProperty("trainer.held-out-fraction", "0.3");
        p.putAll(more);
        return TrainerSettings.of(p);
    }

    static Topics topics(LocalKafkaBroker kafka, String name) throws InterruptedException {
        Topics topics = Topics.defaults().withPrefix(name + ".");
        try (var admin = kafka.admin()) {
            topics.create(admin);
        }
        return topics;
    }
}
