package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.sim.GalaxyTruth;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.TokenSequence;
import org.astropt.stream.server.ModelServer;
import org.astropt.stream.server.ServerSettings;
import org.astropt.stream.trainer.ContinuousTrainer;
import org.astropt.stream.trainer.RoundResult;
import org.astropt.stream.trainer.TrainerSettings;
import org.astropt.stream.trainer.evaluation.RankingMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The labelling loop of issue 13 through its real parts: a person labels 200 objects through the model server's
 * HTTP API (from the synthetic survey's truth, as someone looking at each cutout would), the trainer runs a round,
 * and the version it then serves flags artefacts on objects nobody labelled, from a survey seed never seen, in
 * agreement with the truth, where the version before (fitted before anyone labelled) flagged none. The trained
 * candidate cannot win on loss here (trainer.promote-min-improvement 0.9), so what serves is the heads-only
 * candidate: the old weights with heads refitted on the labels.
 */
class LabellingLoopITCase {

    static final String TOKEN = "label-loop-token";
    static final ObjectMapper JSON = new ObjectMapper();
    static final AvroCodec<TokenSequence> TOKENS = AvroCodec.of(TokenSequence.class);
    static final int SIZE = 64;
    static final long SEED = 31, HELD_OUT_SEED = 9_013;
    static final int LABELLED = 200;
    /**
     * The least gain in the balanced accuracy of the ARTEFACT flag on the unlabelled seed: measured 0.500 (v1, no
     * artefact head) to 0.915 (docs/TRAINER.md), so 0.25 leaves room for other seeds and still fails when the labels
     * do not reach the served heads.
     */
    static final double MIN_GAIN = 0.25;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void labelsGivenThroughTheServerMakeTheNextServedVersionFlagWhatPeopleLabelled(@TempDir Path dir) throws Exception {
        Topics topics = Topics.defaults().withPrefix("loop.");
        SyntheticSurvey survey = new SyntheticSurvey(SEED, SIZE, 370);
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir.resolve("kafka"), 0, topics)) {
            sendTokens(kafka, topics, survey, 0, 300);
            TrainerSettings settings = settings(kafka, dir);
            try (ContinuousTrainer trainer = new ContinuousTrainer(settings, topics, new ContinuousTrainer.Listener() {});
                 ModelServer server = ModelServer.start(ServerSettings.defaults().withBootstrap(kafka.bootstrapServers())
                         .withBind("127.0.0.1", 0).withTopics(topics).withToken(TOKEN))) {
                RoundResult v1 = trainer.runRound().orElseThrow();
                assertEquals(ModelStatus.PROMOTED, v1.status());
                assertEquals(0.0, v1.metrics().get("labels.human"), "nobody labelled anything yet");
                URI base = server.uri();

                // Refusals, one line each, before anything is written.
                assertEquals(401, post(base, "obj", "{\"label\":\"normal\"}", null).statusCode(), "the token guards labelling as it guards promote");
                assertError(400, "label 'artefact' is not a label", post(base, "obj", "{\"label\":\"artefact\"}", TOKEN));
                assertError(400, "label is missing", post(base, "obj", "{\"who\":\"me\"}", TOKEN));
                assertError(400, "the body must be a JSON object", post(base, "obj", "normal", TOKEN));

                // A person labels 200 objects, one label each, as the truth shows them.
                int artefacts = 0;
                for (int i = 0; i < LABELLED; i++) {
                    String label = labelOf(survey.truth(i));
                    if (!label.equals("normal")) artefacts++;
                    HttpResponse<String> r = post(base, SyntheticSurvey.id(SEED, i), "{\"label\":\"" + label + "\",\"who\":\"tester\"}", TOKEN);
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals(label, JSON.readTree(r.body()).path("label").asText());
                }
                assertTrue(artefacts >= 30 && artefacts <= 100, "about 30% carry artefacts: " + artefacts);
                JsonNode listed = JSON.readTree(get(base, "/labels?limit=5").body());
                assertEquals(LABELLED, listed.path("labelled").asInt());
                assertEquals(5, listed.path("labels").size());
                String first = SyntheticSurvey.id(SEED, 0);
                assertEquals(labelOf(survey.truth(0)), JSON.readTree(get(base, "/objects/" + first + "/label").body()).path("label").path("label").asText());
                // New records arrive; the trainer's next round.
                sendTokens(kafka, topics, survey, 300, 40);
                RoundResult trained = trainer.runRound().orElseThrow();
                assertEquals(ModelStatus.REJECTED, trained.status(), "no candidate wins on loss at a 90% minimum improvement");
                assertEquals((double) LABELLED, trained.metrics().get("labels.human"), "the trained candidate's heads read every label");
                assertTrue(trained.metrics().get("labels.artefact_auc") >= 0.8, "its heads agree with the labels out of fold: " + trained.metrics());
                assertTrue(trained.metrics().containsKey("heads.artefact.threshold"), "a flag threshold for precision 0.9 was found");
                ModelVersion serving = trainer.catalog().serving(settings.modelName()).orElseThrow();
                assertEquals(trained.version() + 1, serving.getVersion(), "the heads-only candidate follows the rejected one and serves");
                assertEquals(1.0, serving.getMetrics().get("heads_only"));
                assertEquals(v1.version(), serving.getParentVersion());
                assertNotEquals(v1.sha256(), serving.getSha256(), "new heads, new sha256");

                // On a survey seed nobody labelled: the flags of the version before and of the one now.
                SyntheticSurvey heldOut = new SyntheticSurvey(HELD_OUT_SEED, SIZE, 200);
                List<float[][]> heldOutTokens = tokens(heldOut);
                Agreement before = agreement(trainer.store().open(v1.folder()), heldOut, heldOutTokens);
                Agreement after = agreement(trainer.store().open(URI.create(serving.getWeightsUri())), heldOut, heldOutTokens);
                System.out.printf(Locale.ROOT, "labelling loop: v%d flags balanced accuracy %.3f (artefact AUC %.3f, %d flagged);"
                                + " v%d %.3f (AUC %.3f, %d flagged, precision %.3f, recall %.3f); heads-only note: %s%n",
                        v1.version(), before.balancedAccuracy, before.auc, before.flagged, serving.getVersion(), after.balancedAccuracy,
                        after.auc, after.flagged, after.precision, after.recall, serving.getNote());
                assertTrue(after.balancedAccuracy >= before.balancedAccuracy + MIN_GAIN,
                        "the new version's ARTEFACT flags agree with the truth better: " + after + " vs " + before);
                assertTrue(after.auc >= 0.8, "its artefact probability ranks artefacts first: " + after);
                assertTrue(after.precision >= 0.7, "its flags are mostly right: " + after);
                assertEmbeddingsUnchanged(trainer.store().open(v1.folder()), trainer.store().open(URI.create(serving.getWeightsUri())), heldOutTokens.get(0));
                // Without new labels, a round publishes no heads-only version.
                sendTokens(kafka, topics, survey, 340, 30);
                int before3 = trainer.catalog().versions(settings.modelName()).size();
                RoundResult third = trainer.runRound().orElseThrow();
                assertEquals(ModelStatus.REJECTED, third.status());
                assertEquals(before3 + 1, trainer.catalog().versions(settings.modelName()).size(), "only the trained candidate");
                assertEquals(serving.getVersion(), trainer.catalog().serving(settings.modelName()).orElseThrow().getVersion());
            }
        }
    }

    /** A person's label from the truth: the first artefact kind they see, else normal. */
    static String labelOf(GalaxyTruth truth) {
        return truth.artefactLabels().isEmpty() ? "normal" : "artefact:" + truth.artefactLabels().get(0).toLowerCase(Locale.ROOT);
    }

    /** How a version's ARTEFACT flags and artefact probability agree with the truth on a survey. */
    record Agreement(double balancedAccuracy, double auc, int flagged, double precision, double recall) {}

    static Agreement agreement(Path folder, SyntheticSurvey survey, List<float[][]> tokens) throws Exception {
        ScoreHeads heads = new ModelFolder(folder).heads().orElse(ScoreHeads.NONE);
        int n = tokens.size(), tp = 0, fp = 0, positives = 0;
        double[] p = new double[n];
        boolean[] artefact = new boolean[n];
        try (AstroPTModel model = Checkpoint.load(folder, AstroPTModel.defaultDevice());
             Embedder embedder = new Embedder(model, Embedder.Settings.DEFAULT)) {
            List<Embedder.Result> results = embedder.embed(tokens);
            for (int i = 0; i < n; i++) {
                ScoreHeads.Scored s = heads.score(tokens.get(i), results.get(i));
                artefact[i] = survey.truth(i).hasArtefacts();
                p[i] = s.scores().getOrDefault(ScoreHeads.ARTEFACT, 0.5);
                boolean flagged = s.flags().stream().anyMatch(f -> f.flagKind().equals("ARTEFACT"));
                if (artefact[i]) positives++;
                if (flagged && artefact[i]) tp++;
                if (flagged && !artefact[i]) fp++;
            }
        }
        double recall = (double) tp / positives, specificity = 1 - (double) fp / (n - positives);
        return new Agreement((recall + specificity) / 2, RankingMetrics.rocAuc(p, artefact), tp + fp,
                tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp), recall);
    }

    /** A heads-only version embeds exactly as the version whose weights it took. */
    static void assertEmbeddingsUnchanged(Path old, Path now, float[][] one) throws Exception {
        try (AstroPTModel a = Checkpoint.load(old, AstroPTModel.defaultDevice()); AstroPTModel b = Checkpoint.load(now, AstroPTModel.defaultDevice());
             Embedder ea = new Embedder(a, Embedder.Settings.DEFAULT); Embedder eb = new Embedder(b, Embedder.Settings.DEFAULT)) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(ea.embed(one).embedding(), eb.embed(one).embedding(), "the same network");
        }
    }

    static List<float[][]> tokens(SyntheticSurvey survey) throws Exception {
        List<float[][]> out = new ArrayList<>();
        for (int i = 0; i < survey.count(); i++) out.add(TokenRecords.tokens(sequence(survey, i)));
        return out;
    }

    /** A galaxy as the pipeline tokenizes it: FITS cutout with its truth cards, decoded, tokenized. */
    static TokenSequence sequence(SyntheticSurvey survey, int i) throws Exception {
        Cutout c = Cutout.newBuilder().setId(SyntheticSurvey.id(survey.seed(), i)).setSurvey("synthetic").setFormat(ImageFormat.FITS)
                .setImage(ByteBuffer.wrap(SurveyWriter.fitsBytes(survey.galaxy(i)))).build();
        CutoutImage image = new CutoutDecoder().decode(c);
        PatchTokenizer tokenizer = new PatchTokenizer(TokenizerSettings.defaults().withSize(SIZE));
        return TokenRecords.sequence(c, image.metadata(), tokenizer.tokenize(c.getId(), image), new SourceRecord(null, null, "test", -1, -1, 0));
    }

    static void sendTokens(LocalKafkaBroker kafka, Topics topics, SyntheticSurvey survey, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "5"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < from + count; i++) {
                TokenSequence s = sequence(survey, i);
                producer.send(new ProducerRecord<>(topics.name(Topics.TOKENS), s.getId().getBytes(StandardCharsets.UTF_8), TOKENS.encode(s)));
            }
        }
    }

    /** A tiny model (2 blocks, 4 heads, 64 wide), short rounds, and no candidate promoted on loss after the first. */
    static TrainerSettings settings(LocalKafkaBroker kafka, Path dir) {
        Properties p = new Properties();
        p.setProperty("trainer.bootstrap-servers", kafka.bootstrapServers());
        p.setProperty("trainer.group-id", "loop-trainer");
        p.setProperty("trainer.transactional-id", "loop-trainer");
        p.setProperty("trainer.model-store", dir.resolve("store").toUri().toString());
        p.setProperty("trainer.state-dir", dir.resolve("state").toString());
        p.setProperty("trainer.preset", "2/4/64");
        p.setProperty("trainer.batch-size", "8");
        p.setProperty("trainer.steps-per-round", "10");
        p.setProperty("trainer.checkpoint-every", "10");
        p.setProperty("trainer.held-out-max", "64");
        p.setProperty("trainer.heads-sample", "150");
        p.setProperty("trainer.promote-min-improvement", "0.9");
        return TrainerSettings.of(p);
    }

    HttpResponse<String> post(URI base, String id, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/objects/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/label"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertError(int status, String contains, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        String error = JSON.readTree(r.body()).path("error").asText();
        assertTrue(error.contains(contains), error);
        assertTrue(!error.contains("\n"), "one line: " + error);
    }
}
