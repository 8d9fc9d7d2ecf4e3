package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.TokenSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** astropt train --bootstrap and astropt models against the in-process broker: what a user types and sees. */
class ModelsCommandTest {

    @TempDir
    Path dir;

    @Test
    void aRoundFromKafkaIsListedAndBadRequestsAreOneLine() throws Exception {
        Path settings = dir.resolve("trainer.properties");
        Files.writeString(settings, String.join("\n", "trainer.preset=2/4/64", "trainer.steps-per-round=5", "trainer.batch-size=8",
                "trainer.held-out-fraction=0.3", "trainer.state-dir=" + dir.resolve("state"),
                "trainer.model-store=" + dir.resolve("store").toUri()));
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir.resolve("kafka"), 0, Topics.defaults())) {
            String bootstrap = kafka.bootstrapServers();
            sendTokens(bootstrap, 30);
            Object[] common = {"--bootstrap", bootstrap, "--config", settings, "--topics", dir.resolve("none.properties")};

            CliRun train = CliRun.of(concat(new Object[] {"train"}, common));
            assertEquals(0, train.exit(), train.err());
            assertEquals(List.of("published version 1 as PROMOTED"), train.outLines());
            assertTrue(train.err().lines().anyMatch(l -> l.startsWith("trainer round=1 step=5/5 loss=")), train.err());

            CliRun list = CliRun.of(concat(new Object[] {"models", "list"}, common));
            assertEquals(0, list.exit(), list.err());
            assertEquals(2, list.outLines().size(), list.out());
            assertTrue(list.outLines().get(0).startsWith("version"));
            assertTrue(list.outLines().get(1).matches("1\\s+PROMOTED\\s+\\d+\\.\\d{5}\\s+[0-9a-f]{12}\\s+\\S+"), list.out());

            // A version on the models topic is evaluated by NAME:VERSION, its weights checked against the record.
            Object[] evaluate = {"evaluate", "--bootstrap", bootstrap, "--topics", dir.resolve("none.properties"),
                    "--simulate", 30, "--novel-fraction", 0, "--seed", 9001, "--size", 32, "--json", "--model"};
            CliRun evaluated = CliRun.of(concat(evaluate, new Object[] {"astropt:1"}));
            assertEquals(0, evaluated.exit(), evaluated.err());
            assertTrue(evaluated.out().contains("\"model\":\"astropt:1\"") && evaluated.out().contains("\"eval.objects\":30.0")
                    && evaluated.out().contains("\"eval.dim\":64.0"), evaluated.out());
            CliRun missing = CliRun.of(concat(evaluate, new Object[] {"astropt:9"}));
            assertEquals(AstroptCli.EXIT_BAD_INPUT, missing.exit());
            assertEquals(List.of("astropt: --model astropt:9: no such version on astropt.models at " + bootstrap), missing.errorLines());

            CliRun rollback = CliRun.of(concat(new Object[] {"models", "rollback"}, common));
            assertEquals(AstroptCli.EXIT_BAD_INPUT, rollback.exit());
            assertEquals(List.of("astropt: model astropt has no earlier PROMOTED version with other weights than v1"), rollback.errorLines());

            CliRun promote = CliRun.of(concat(new Object[] {"models", "promote", "7"}, common));
            assertEquals(AstroptCli.EXIT_BAD_INPUT, promote.exit());
            assertEquals(1, promote.errorLines().size());
            assertTrue(promote.errorLines().get(0).contains("has no version 7"), promote.err());

            // The promote rule, as the HTTP API has it (ModelVersions): only a CANDIDATE above the serving version.
            assertRefused("is already PROMOTED", CliRun.of(concat(new Object[] {"models", "promote", "1"}, common)));
            ModelVersion v1 = ModelRegistry.read(bootstrap, "astropt.models").version("astropt", 1).orElseThrow();
            try (ModelRegistry registry = ModelRegistry.reading(bootstrap, "astropt.models", "models-command-test")) {
                registry.publish(List.of(copy(v1, 2, ModelStatus.CANDIDATE, v1.getSha256())));
                CliRun up = CliRun.of(concat(new Object[] {"models", "promote", "2"}, common));
                assertEquals(0, up.exit(), up.err());
                assertEquals(List.of("version 2 now serves (promoted by hand)"), up.outLines());
                registry.publish(List.of(copy(v1, 3, ModelStatus.CANDIDATE, "c".repeat(64)),
                        copy(v1, 4, ModelStatus.PROMOTED, "d".repeat(64))));
            }
            assertRefused("use rollback to go back", CliRun.of(concat(new Object[] {"models", "promote", "3"}, common)));
            CliRun back = CliRun.of(concat(new Object[] {"models", "rollback"}, common));
            assertEquals(0, back.exit(), back.err());
            assertTrue(back.out().startsWith("version 5 now serves (rolled back by hand: the weights of v2 replace v4)"), back.out());

            CliRun s3 = CliRun.of(concat(new Object[] {"train", "--store", "s3://bucket/models"}, common));
            assertEquals(AstroptCli.EXIT_BAD_INPUT, s3.exit());
            assertEquals(List.of("astropt: model store s3://bucket/models: the s3:// scheme is not supported yet;"
                    + " use a file:// URI or a path (trainer.model-store)"), s3.errorLines());

            CliRun nothing = CliRun.of(concat(new Object[] {"train"}, common));
            assertEquals(List.of("no new token records since the last round: nothing to train on"), nothing.outLines());
        }
    }

    private static void assertRefused(String says, CliRun run) {
        assertEquals(AstroptCli.EXIT_BAD_INPUT, run.exit(), run.out());
        assertEquals(1, run.errorLines().size(), run.err());
        assertTrue(run.errorLines().get(0).startsWith("astropt: ") && run.errorLines().get(0).contains(says), run.err());
    }

    private static ModelVersion copy(ModelVersion v, long version, ModelStatus status, String sha256) {
        return ModelVersion.newBuilder(v).setVersion(version).setStatus(status).setSha256(sha256).build();
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Synthetic 32 x 32 galaxies tokenized as the pipeline does, onto astropt.tokens. */
    private static void sendTokens(String bootstrap, int count) throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(4, 32, count);
        PatchTokenizer tokenizer = new PatchTokenizer(TokenizerSettings.defaults().withSize(32));
        AvroCodec<TokenSequence> codec = AvroCodec.of(TokenSequence.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                Cutout c = Cutout.newBuilder().setId(SyntheticSurvey.id(4, i)).setSurvey("synthetic").setFormat(ImageFormat.FITS)
                        .setImage(ByteBuffer.wrap(SurveyWriter.fitsBytes(survey.galaxy(i)))).build();
                CutoutImage image = new CutoutDecoder().decode(c);
                TokenSequence s = TokenRecords.sequence(c, image.metadata(), tokenizer.tokenize(c.getId(), image),
                        new SourceRecord(null, null, "test", -1, -1, 0));
                producer.send(new ProducerRecord<>("astropt.tokens", c.getId().getBytes(StandardCharsets.UTF_8), codec.encode(s)));
            }
        }
    }
}
