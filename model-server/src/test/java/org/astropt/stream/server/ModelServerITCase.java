package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.astropt.stream.schemas.Embedding;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.astropt.stream.core.heads.TiedRegionHeads;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against a real in-process Kafka broker: records as the pipeline writes them go in, the
 * HTTP API answers from them; promote and rollback come back through the models topic.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // promote and rollback change the served model: last
class ModelServerITCase {

    static final String TOKEN = "s3cret-test-token";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static LocalKafkaBroker kafka;
    static StreamFixture stream;
    static ModelServer server;
    static List<StreamFixture.Galaxy> galaxies;
    static ModelVersion v1;
    static ModelVersion v2;
    static EmbeddingStats v1Statistics;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        kafka = LocalKafkaBroker.start(tmp.resolve("kafka"), 0, Topics.defaults().withPrefix("unused."));
        stream = new StreamFixture(kafka, "it", tmp.resolve("models"));
        v1 = stream.saveVersion(1, ModelStatus.PROMOTED, 0.31, true); // with score heads (core's TiedRegionHeads)
        v2 = stream.saveVersion(2, ModelStatus.CANDIDATE, 0.27);
        stream.sendModel(v1);
        stream.sendModel(v2);
        System.err.printf("broker and models: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        galaxies = stream.galaxies(11, 0, 40, v1);
        v1Statistics = stream.publishStatistics(v1, stream.galaxies(12, 0, 20, v1)); // v2 publishes none, as versions made before them
        System.err.printf("galaxies: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        for (StreamFixture.Galaxy g : galaxies) {
            stream.sendCutout(g);
            stream.sendEmbedding(g);
        }
        stream.sendFlag(galaxies.get(3), 0.1);
        stream.flush();
        server = ModelServer.start(ServerSettings.defaults().withBootstrap(kafka.bootstrapServers()).withTopics(stream.topics)
                .withBind("127.0.0.1", 0).withToken(TOKEN).withModelName(StreamFixture.MODEL));
        System.err.printf("server started: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertTrue(server.awaitCaughtUp(60, TimeUnit.SECONDS), "the server read the topics");
        System.err.printf("caught up: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (stream != null) stream.close();
        if (kafka != null) kafka.close();
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertEquals(200, r.statusCode(), () -> path + ": " + new String(r.body()));
        return JSON.readTree(r.body());
    }

    static HttpResponse<byte[]> post(String path, byte[] body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Polls until the condition holds (60 s at most): records take a moment to travel through Kafka. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("still not true after 60 s: " + what);
            Thread.sleep(50);
        }
    }

    static float[] vector(StreamFixture.Galaxy g) {
        List<Float> v = g.embedding().getVector();
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    @Test
    void similarAnswersTheNearestEmbeddedObjects() throws Exception {
        StreamFixture.Galaxy query = galaxies.get(5);
        JsonNode r = json("/similar/" + query.id() + "?k=5");
        List<StreamFixture.Galaxy> others = new ArrayList<>(galaxies);
        others.remove(query);
        // cosine of the vectors standardised with the statistics v1 published
        float[] q = v1Statistics.standardise(vector(query));
        others.sort(Comparator.comparingDouble(g -> -SimilarityIndexTest.cosine(q, v1Statistics.standardise(vector(g)))));
        assertEquals(5, r.get("neighbours").size());
        for (int i = 0; i < 5; i++) {
            JsonNode n = r.get("neighbours").get(i);
            assertEquals(others.get(i).id(), n.get("id").asText(), "rank " + i);
            assertEquals(SimilarityIndexTest.cosine(q, v1Statistics.standardise(vector(others.get(i)))), n.get("similarity").asDouble(), 1e-5);
        }
        assertEquals(StreamFixture.MODEL + ":1", r.get("model").asText());
        assertEquals(StreamFixture.MODEL + ":1", r.get("standardisedWith").asText(), "v1 published its statistics");
        assertEquals(404, get("/similar/no-such-object").statusCode());
        assertEquals(400, get("/similar/" + query.id() + "?k=zero").statusCode());
    }

    @Test
    void objectCarriesTheLatestEmbeddingScoresTruthAndThumbnail() throws Exception {
        StreamFixture.Galaxy g = galaxies.get(3);
        JsonNode o = json("/objects/" + g.id());
        float[] back = new float[o.get("vector").size()];
        for (int i = 0; i < back.length; i++) back[i] = (float) o.get("vector").get(i).asDouble();
        assertArrayEquals(vector(g), back, 1e-5f);
        assertEquals(g.embedding().getSurprise(), o.get("surprise").floatValue(), 1e-6);
        assertEquals(1, o.get("modelVersion").asLong());
        assertEquals(g.galaxy().truth().morphology().name(), o.get("morphology").asText());
        assertTrue(o.get("flags").toString().contains("ANOMALY"), "the flag sent for it: " + o);
        assertScores(g, o.get("scores"));
        assertEquals(g.embedding().getHardestTokens().size(), o.get("hardestCells").size());
        for (int k = 0; k < o.get("hardestCells").size(); k++) {
            JsonNode cell = o.get("hardestCells").get(k);
            assertEquals(g.embedding().getHardestTokens().get(k).intValue(), cell.get("position").asInt(), "worst first");
            assertEquals(16 * cell.get("i").asInt(), cell.get("x").asInt(), "the grid's first index runs along x (the axis swap)");
            assertEquals(16 * cell.get("j").asInt(), cell.get("y").asInt());
        }
        assertEquals(64, o.get("tokenGrid").get("width").asInt());
        assertEquals(4, o.get("tokenGrid").get("gridSize").asInt());

        HttpResponse<byte[]> png = get(o.get("thumbnail").asText());
        assertEquals("image/png", png.headers().firstValue("content-type").orElse(""));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png.body()));
        assertEquals(64, img.getWidth());
        assertEquals(64, img.getHeight());
        assertEquals(404, get("/objects/nobody/image.png").statusCode());
    }

    @Test
    void flagsModelsAndMetrics() throws Exception {
        JsonNode flags = json("/flags");
        assertEquals(galaxies.get(3).id(), flags.get("flags").get(0).get("id").asText());
        assertEquals("ANOMALY", flags.get("flags").get(0).get("kind").asText());

        JsonNode models = json("/models?curves=true");
        assertEquals(StreamFixture.MODEL, models.get("modelName").asText());
        JsonNode oldest = models.get("versions").get(models.get("versions").size() - 1);
        assertEquals(1, oldest.get("version").asLong());
        assertEquals(0.31, oldest.get("heldOutLoss").asDouble(), 1e-12);
        assertEquals(40, oldest.get("curve").get("loss").size());
        assertEquals(0.31 + 2.0 / 40, oldest.get("curve").get("loss").get(39).asDouble(), 1e-12);

        String metrics = new String(get("/metrics").body());
        assertTrue(metrics.contains("astropt_server_records_consumed_total{topic=\"" + stream.topics.name(Topics.EMBEDDINGS) + "\"} 40"), metrics);
        assertTrue(metrics.contains("# TYPE astropt_pipeline_latency_seconds histogram"), metrics);
        assertTrue(metrics.contains("astropt_server_index_objects 40"), metrics);

        JsonNode map = json("/api/map");
        assertEquals(40, map.get("points").size());
        java.util.Map<String, StreamFixture.Galaxy> byId = new java.util.HashMap<>();
        galaxies.forEach(g -> byId.put(g.id(), g));
        int blank = 0;
        for (JsonNode p : map.get("points")) {
            assertScores(byId.get(p.get("id").asText()), p.get("scores"));
            if (p.get("scores").get("artefact_" + TiedRegionHeads.KIND).asDouble() > 0.5) blank++;
        }
        assertTrue(blank > 0 && blank < 40, blank + " of 40 with a blank region: both kinds are in the sample");
        assertEquals(StreamFixture.MODEL + ":1", map.get("standardisedWith").asText());
        JsonNode feed = json("/api/feed?limit=10");
        assertEquals(10, feed.get("objects").size());
        for (int i = 1; i < 10; i++) {
            assertTrue(feed.get("objects").get(i - 1).get("seq").asLong() > feed.get("objects").get(i).get("seq").asLong(), "newest first");
        }
        assertEquals(40, feed.get("objects").get(0).get("seq").asLong());
    }

    @Test
    void embedAnUploadedFitsUnderThePromotedModel() throws Exception {
        StreamFixture.Galaxy g = galaxies.get(7);
        HttpResponse<byte[]> r = post("/embed?id=upload-7", SurveyWriter.fitsBytes(g.galaxy()), null);
        assertEquals(200, r.statusCode(), new String(r.body()));
        JsonNode e = JSON.readTree(r.body());
        assertEquals(1, e.get("modelVersion").asLong());
        float[] v = new float[e.get("embedding").size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) e.get("embedding").get(i).asDouble();
        assertArrayEquals(vector(g), v, 1e-4f, "the same cutout through the same weights");
        assertEquals(g.embedding().getSurprise(), e.get("surprise").floatValue(), 1e-4);
        for (String name : TiedRegionHeads.SCORES) {
            assertEquals(g.embedding().getScores().get(name), e.get("scores").get(name).asDouble(), 1e-4, "upload scored as the stream: " + name);
        }
        List<Integer> hardest = new ArrayList<>();
        e.get("hardestTokens").forEach(n -> hardest.add(n.asInt()));
        assertEquals(g.embedding().getHardestTokens(), hardest, "the same hardest tokens as the stream");
        assertEquals(g.id(), e.get("similar").get(0).get("id").asText(), "its own streamed copy is the nearest");

        HttpResponse<byte[]> junk = post("/embed?id=junk", "not an image".getBytes(), null);
        assertEquals(422, junk.statusCode());
        assertTrue(JSON.readTree(junk.body()).get("error").asText().startsWith("junk"), new String(junk.body()));
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void promoteAndRollbackNeedTheTokenAndGoThroughTheModelsTopic() throws Exception {
        assertEquals(401, post("/models/2/promote", new byte[0], null).statusCode());
        assertEquals(401, post("/models/2/promote", new byte[0], "wrong").statusCode());
        HttpResponse<byte[]> promoted = post("/models/2/promote", new byte[0], TOKEN);
        assertEquals(200, promoted.statusCode(), new String(promoted.body()));
        await("v2 is promoted", () -> server.serving().map(v -> v.getVersion() == 2).orElse(false));

        HttpResponse<byte[]> rolled = post("/models/rollback", new byte[0], TOKEN);
        assertEquals(200, rolled.statusCode(), new String(rolled.body()));
        await("v3 serves", () -> server.serving().map(v -> v.getVersion() == 3).orElse(false));
        ModelVersion v3 = server.versions().version(StreamFixture.MODEL, 3).orElseThrow();
        assertEquals(v1.getSha256(), v3.getSha256(), "v3 carries v1's weights");
        assertEquals(1L, v3.getParentVersion());
        assertEquals(ModelStatus.ROLLED_BACK, server.versions().version(StreamFixture.MODEL, 2).orElseThrow().getStatus());
        // One transaction: the ROLLED_BACK v2 and the PROMOTED v3 side by side, and one commit marker after them.
        String modelsTopic = stream.topics.name(Topics.MODELS);
        List<ConsumerRecord<byte[], byte[]>> models = CommittedRecords.all(kafka.bootstrapServers(), modelsTopic, Duration.ofSeconds(30));
        ConsumerRecord<byte[], byte[]> last = models.get(models.size() - 1);
        assertEquals(Topics.modelKey(v3.getName(), 3), new String(last.key(), StandardCharsets.UTF_8));
        assertEquals(Topics.modelKey(v3.getName(), 2), new String(models.get(models.size() - 2).key(), StandardCharsets.UTF_8));
        assertEquals(last.offset() - 1, models.get(models.size() - 2).offset());
        try (var admin = kafka.admin()) {
            TopicPartition tp = new TopicPartition(modelsTopic, last.partition());
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
            assertEquals(last.offset() + 2, end, "the pair is followed by its transaction's commit marker");
        }
        // The promote rule, as the CLI has it (ModelVersions): only a CANDIDATE above the serving version.
        assertRefused(409, "is already PROMOTED", post("/models/1/promote", new byte[0], TOKEN));
        assertRefused(409, "only a CANDIDATE can be promoted", post("/models/2/promote", new byte[0], TOKEN));
        assertRefused(404, "has no version 99", post("/models/99/promote", new byte[0], TOKEN));
        stream.sendModel(StreamFixture.record(4, tmp.resolve("models").resolve("v2"), ModelStatus.CANDIDATE));
        stream.sendModel(StreamFixture.record(5, tmp.resolve("models").resolve("v1"), ModelStatus.PROMOTED));
        stream.flush();
        await("v5 serves", () -> server.serving().map(v -> v.getVersion() == 5).orElse(false));
        assertRefused(409, "use rollback to go back", post("/models/4/promote", new byte[0], TOKEN));
    }

    /** The JSON scores of a galaxy are those of its embedding record: its version's heads, every one. */
    /** Alerts (id = candid, objectId in the metadata) answer one by one, and their object lists them over time. */
    @Test
    @Order(Integer.MAX_VALUE - 1) // after the tests that count the feed and the index
    void anAlertIsAtItsCandidAndItsObjectListsItsAlertsOverTime() throws Exception {
        String[][] alerts = {{"739260766315010007", "2458494.5"}, {"739260766315010006", "2458493.5"}};
        for (String[] a : alerts) {
            Embedding e = Embedding.newBuilder(galaxies.get(5).embedding()).setId(a[0])
                    .setMetadata(Map.of("candid", a[0], "objectId", "ZTF17aaacxxf", "jd", a[1], "survey", "ZTF", "rb", "0.9"))
                    .build();
            stream.sendEmbedding(e);
        }
        stream.flush();
        await("both alerts held", () -> server.catalogue().alertsOf("ZTF17aaacxxf").size() == 2);
        JsonNode one = json("/objects/739260766315010006");
        assertEquals("ZTF17aaacxxf", one.get("metadata").get("objectId").asText());
        assertEquals("0.9", one.get("metadata").get("rb").asText());
        assertEquals(galaxies.get(5).embedding().getVector().size(), one.get("vector").size());
        JsonNode object = json("/objects/ZTF17aaacxxf");
        assertEquals(2, object.get("count").asInt());
        assertEquals("739260766315010006", object.get("alerts").get(0).get("id").asText(), "oldest first");
        assertEquals("739260766315010007", object.get("alerts").get(1).get("id").asText());
        assertEquals(404, get("/objects/ZTF00nothing").statusCode());
    }

    static void assertScores(StreamFixture.Galaxy g, JsonNode scores) {
        assertEquals(TiedRegionHeads.SCORES.size(), scores.size(), scores.toString());
        for (String name : TiedRegionHeads.SCORES) {
            assertEquals(g.embedding().getScores().get(name), scores.get(name).asDouble(), 1e-9, g.id() + " " + name);
        }
    }

    /** A refusal: its status and one line that says what to do. */
    static void assertRefused(int status, String says, HttpResponse<byte[]> r) throws Exception {
        assertEquals(status, r.statusCode(), new String(r.body()));
        String error = JSON.readTree(r.body()).get("error").asText();
        assertTrue(error.contains(says) && error.lines().count() == 1, error);
    }

    @Test
    void refusesToBindBeyondLoopbackWithoutAToken() throws Exception {
        ServerSettings open = ServerSettings.defaults().withBootstrap(kafka.bootstrapServers()).withTopics(stream.topics).withBind("0.0.0.0", 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelServer.start(open));
        assertTrue(e.getMessage().contains("server.token"), e.getMessage());
        try (ModelServer guarded = ModelServer.start(open.withToken(TOKEN))) {
            HttpResponse<byte[]> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guarded.port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, health.statusCode(), "with a token the server starts on 0.0.0.0 and answers");
        }
    }
}
