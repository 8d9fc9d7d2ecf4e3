package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.sim.AlertSurvey;
import org.astropt.stream.core.sim.AlertTruthCatalogue;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.sim.ZtfPacketWriter;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.server.ServerSettings;
import org.astropt.stream.trainer.Trainers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two models served at once through the local stack (in-process KRaft broker, Flink mini cluster, model server) as
 * the demo runs them: a galaxy starter (tiny, 2/4/64) published for the trainer's model {@code astropt} and the ZTF
 * alert starter models/astropt-ztf-1m-starter published as {@code astropt-ztf}, both PROMOTED by LocalStack. Cutouts
 * from the demo feed go to astropt.cutouts; simulated raw ZTF packets from the alert feed, the real ZTF packet of
 * ../shared/data/real and a corrupted copy of it go to astropt.alerts.ztf. Asked over HTTP, the server answers a
 * cutout embedded by the galaxy model and every alert by astropt-ztf, with vector, scores and modelName at
 * /objects/{candid}; the corrupted packet is on the dead-letter topic with its original bytes.
 */
class TwoModelStackITCase {

    static final int CUTOUTS = 4, SIMULATED_ALERTS = 5;
    static final String ALERTS = DemoCommand.ZTF_ALERTS_TOPIC;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void cutoutsAreEmbeddedByTheGalaxyModelAndAlertsByTheAlertModelAndACorruptPacketIsADeadLetter(@TempDir Path dir) throws Exception {
        Path sample = SharedFixtures.realData(DemoAlerts.ZTF_SAMPLE);
        Path alertStarter = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "models", "astropt-ztf-1m-starter");
        byte[] real = Files.readAllBytes(sample);
        byte[] corrupt = Arrays.copyOf(real, real.length / 2);
        Path data = dir.resolve("data");
        Topics topics = Topics.defaults();
        Properties p = new Properties();
        p.setProperty("pipeline.batch-size", "8");
        p.setProperty("pipeline.batch-delay-ms", "20");
        p.setProperty("pipeline.checkpoint-interval-ms", "300");
        p.setProperty("pipeline.model-names", "astropt," + DemoAlerts.MODEL);
        p.setProperty(PipelineSettings.INPUTS, topics.name(Topics.CUTOUTS) + "=cutout, " + ALERTS + "=ztf-alert");
        try (LocalStack stack = LocalStack.builder(data, topics).kafka(0)
                .pipeline(0, PipelineSettings.of(p))
                .server(ServerSettings.defaults().withBind("127.0.0.1", 0))
                .trainer(LocalStackTest.trainer(data, "2/4/64"), new Trainers.Listener() {})
                .starter(LocalStackTest.tinyStarter(dir.resolve("galaxy-starter")))
                .starter(DemoAlerts.MODEL, alertStarter)
                .feed(List.of(), 48, 200, CUTOUTS, 0)
                .alertFeed(ALERTS, ZtfPacketWriter.fromSample(sample), 200, SIMULATED_ALERTS, 0)
                .start()) {
            assertEquals(1, stack.starterPublished(DemoAlerts.MODEL).orElseThrow().getVersion(), "the alert starter is astropt-ztf v1");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProduceCommand.producerProperties(stack.kafkaClient()))) {
                producer.send(new ProducerRecord<>(ALERTS, "739260766315010006".getBytes(StandardCharsets.UTF_8), real)).get();
                producer.send(new ProducerRecord<>(ALERTS, "corrupt".getBytes(StandardCharsets.UTF_8), corrupt)).get();
            }
            CommittedRecords.atLeast(stack.kafkaClient(), topics.name(Topics.EMBEDDINGS), CUTOUTS + SIMULATED_ALERTS + 1, Duration.ofSeconds(60));
            List<Map<String, String>> truth = AlertTruthCatalogue.read(AlertFeed.truthFile(data, AlertSurvey.ZTF));
            assertEquals(SIMULATED_ALERTS, truth.size(), "one truth row per simulated alert, written before it was sent");

            List<String> alerts = new ArrayList<>(truth.stream().map(row -> row.get("source_id")).toList());
            alerts.add("739260766315010006");
            for (String candid : alerts) {
                JsonNode alert = object(stack, candid);
                assertEquals(DemoAlerts.MODEL, alert.path("modelName").asText(), candid);
                assertEquals(1, alert.path("modelVersion").asLong(), candid);
                assertEquals(128, alert.path("vector").size(), candid + ": the 1M alert model's embedding");
                assertTrue(alert.path("scores").path("artefact").isNumber(), candid + ": its bogus head scored it: " + alert.path("scores"));
                assertEquals(candid, alert.path("metadata").path("candid").asText());
            }
            JsonNode cutout = object(stack, SyntheticSurvey.id(DemoFeed.SURVEY_SEED, 0));
            assertEquals("astropt", cutout.path("modelName").asText());
            assertEquals(64, cutout.path("vector").size(), "the tiny galaxy model's embedding");
            assertTrue(cutout.path("scores").path("surprise").isNumber(), cutout.path("scores").toString());

            AvroCodec<DeadLetter> letters = AvroCodec.of(DeadLetter.class);
            DeadLetter letter = null;
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.atLeast(stack.kafkaClient(), topics.name(Topics.DEAD_LETTER), 1, Duration.ofSeconds(30))) {
                DeadLetter d = letters.decode(r.value());
                if (d.getSourceTopic().toString().equals(ALERTS)) letter = d;
            }
            assertTrue(letter != null, "the corrupted packet is a dead letter");
            assertArrayEquals(corrupt, bytes(letter.getValue()), "with its original bytes");
            assertEquals("corrupt", StandardCharsets.UTF_8.decode(letter.getKey()).toString());
        }
    }

    /** GET /objects/{id}, asked until the server has read the object's embedding (30 s at most). */
    private JsonNode object(LocalStack stack, String id) throws Exception {
        URI uri = stack.server().uri().resolve("/objects/" + id);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JsonNode o = json.readTree(r.body());
                if (o.path("vector").isArray()) return o;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("GET " + uri + " still answers " + r.statusCode() + " " + r.body());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the server reads the embeddings topic on its own thread
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
