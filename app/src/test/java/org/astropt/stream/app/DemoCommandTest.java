package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.trainer.RoundResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job end to end: {@code astropt demo --cutouts 300 --exit-when-done} starts the broker,
 * the Flink mini cluster, the pipeline, the model server, the trainer (here --from-scratch with a tiny
 * preset, so the first-round path is what runs: it trains the first model from the stream's own tokens;
 * LocalStackTest covers publishing the starter instead), the feed and, when the shared ZTF sample is there, the alert
 * feed of simulated ZTF packets embedded by the alert starter, and ends when every cutout is embedded or dead-lettered.
 * The outcome is then checked independently: a stack of the broker alone is started again on the demo's
 * data folder and the topics are read with read_committed.
 */
class DemoCommandTest {

    static final int CUTOUTS = 300;

    @Test
    void threeHundredCutoutsAreAllAccountedForWithAPromotedModelAndNeighbours(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        AstroptCliTest.Run r = AstroptCliTest.run("demo", "--cutouts", String.valueOf(CUTOUTS), "--exit-when-done",
                "--data", data.toString(), "--kafka-port", "0", "--ui-port", "0", "--port", "0", "--rate", "150",
                "--from-scratch", "--preset", "2/4/64", "--steps", "40", "--first-round-cutouts", "100", "--alert-rate", "5",
                "--alert-starter", Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "models", "astropt-ztf-1m-starter").toString(),
                "--config-dir", Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "config").toString());
        assertEquals(0, r.exit(), () -> "demo failed:\n" + r.out() + "\n" + r.err());
        assertTrue(r.out().contains("produced " + CUTOUTS + ","), r.out());
        Matcher similar = Pattern.compile("GET /similar/(\\S+)\\?k=5 -> (\\d+) neighbours").matcher(r.out());
        assertTrue(similar.find(), "the demo asked its server for neighbours:\n" + r.out());
        assertEquals("5", similar.group(2), r.out());

        // Simulated alerts only when the shared sample packet (their schema) is there; the console says which.
        boolean alerts = Files.isRegularFile(DemoFeed.sharedFolder().resolve("data").resolve("real").resolve(DemoAlerts.ZTF_SAMPLE));
        assertTrue(r.out().contains(alerts ? "feeding simulated raw ZTF alert packets at 5.0/s to astropt.alerts.ztf" : "no ZTF sample packet at "), r.out());
        // What the feed sent: the real sample files (when present), then synthetic cutouts 0, 1, 2, ...
        List<Path> real = DemoFeed.realFiles(DemoFeed.sharedFolder());
        Set<String> sent = new HashSet<>();
        for (Path f : real) sent.add("real-" + ProduceCommand.objectId(f));
        for (long i = 0; sent.size() < CUTOUTS; i++) sent.add(SyntheticSurvey.id(DemoFeed.SURVEY_SEED, i));

        Topics topics = Topics.defaults();
        try (LocalStack kafka = LocalStack.builder(data, topics).kafka(0).start()) {
            String bootstrap = kafka.bootstrapServers();
            AvroCodec<Embedding> embeddings = AvroCodec.of(Embedding.class);
            AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
            AvroCodec<ModelVersion> models = AvroCodec.of(ModelVersion.class);
            Set<String> embedded = new HashSet<>();
            Set<String> alertsEmbedded = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> c : CommittedRecords.all(bootstrap, topics.name(Topics.EMBEDDINGS), Duration.ofSeconds(60))) {
                Embedding e = embeddings.decode(c.value());
                assertTrue(e.getModelVersion() >= 1, "made by a trained version, not a placeholder: " + e.getModelVersion());
                embedded.add(e.getId().toString());
                // (the real sample files go as cutouts, ids real-*, whichever model their layout finds)
                if (e.getModelName().toString().equals(DemoAlerts.MODEL) && !e.getId().toString().startsWith("real-")) {
                    alertsEmbedded.add(e.getId().toString());
                }
            }
            Set<String> dead = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> c : CommittedRecords.all(bootstrap, topics.name(Topics.DEAD_LETTER), Duration.ofSeconds(60))) {
                DeadLetter d = deadLetters.decode(c.value());
                dead.add(new String(d.getKey().array(), StandardCharsets.UTF_8));
            }
            Set<String> missing = new HashSet<>(sent);
            missing.removeAll(embedded);
            missing.removeAll(dead);
            assertTrue(missing.isEmpty(), missing.size() + " cutouts neither embedded nor dead-lettered, e.g. " + missing.stream().limit(5).toList());
            assertTrue(dead.size() >= CUTOUTS / DemoFeed.DAMAGED_EVERY - 1, "the feed's damaged cutouts are dead letters: " + dead.size());
            if (alerts) {
                // the alert feed: every packet it sent has its truth row, and the alert model embedded them
                long sentAlerts = DemoFeed.nextIndex(data, AlertFeed.STATE_KEY);
                assertTrue(sentAlerts > 0, "the alert feed sent packets:\n" + r.out());
                List<java.util.Map<String, String>> truth = org.astropt.stream.core.sim.AlertTruthCatalogue.read(
                        AlertFeed.truthFile(data, org.astropt.stream.core.sim.AlertSurvey.ZTF));
                assertEquals(sentAlerts, truth.size(), "one truth row per alert sent");
                Set<String> candids = new HashSet<>();
                for (var row : truth) candids.add(row.get("source_id"));
                assertTrue(alertsEmbedded.size() > 0 && candids.containsAll(alertsEmbedded),
                        "alerts embedded by " + DemoAlerts.MODEL + " are the feed's: " + alertsEmbedded.size());
            }
            boolean promoted = false;
            for (ConsumerRecord<byte[], byte[]> c : CommittedRecords.all(bootstrap, topics.name(Topics.MODELS), Duration.ofSeconds(60))) {
                promoted |= models.decode(c.value()).getStatus() == ModelStatus.PROMOTED;
            }
            assertTrue(promoted, "at least one model version was promoted");
        }
        assertTrue(Files.exists(data.resolve(DemoFeed.FEED_STATE)), "the feed remembers where the survey goes on");
    }

    @Test
    void aPublishedVersionIsOneLineWithItsLossAndTheServingVersionsMeasuredOnTheSameSample() {
        java.net.URI folder = java.net.URI.create("file:/m/abc/");
        assertEquals("model astropt v1 PROMOTED: held-out loss 0.3221; no version served before (round 1)",
                DemoCommand.publication("astropt", new RoundResult(1, 1, ModelStatus.PROMOTED, 0.32213, Double.NaN, null, null, "abc", folder, java.util.Map.of())));
        assertEquals("model astropt v3 REJECTED: held-out loss 0.3100 against 0.3000 of v2 (round 3)",
                DemoCommand.publication("astropt", new RoundResult(3, 3, ModelStatus.REJECTED, 0.31, 0.30, 2L, 2L, "abc", folder, java.util.Map.of())));
    }

    @Test
    void aPublishedStarterIsOneLineWithItsFolderAndHeldOutLoss() {
        ModelVersion v = ModelVersion.newBuilder().setName("astropt").setVersion(1).setStatus(ModelStatus.PROMOTED)
                .setArchitecture(org.astropt.stream.schemas.ModelArchitecture.newBuilder().setNLayer(4).setNHead(8).setNEmbd(128)
                        .setNChan(3).setBlockSize(1024).setPatchSize(16).setBias(false).setDropout(0).build())
                .setWeightsUri("file:/m/abc/weights.safetensors").setSha256("abc").setSizeBytes(1)
                .setMetrics(java.util.Map.of("heldout_loss", 0.27123)).setCreatedTime(java.time.Instant.EPOCH).build();
        assertEquals("model astropt v1 PROMOTED: the starter model models/astropt-1m-starter (pretrained, held-out loss 0.2712);"
                        + " the stream embeds with it from the first cutout, the trainer fine-tunes it every 2000 new token records",
                DemoCommand.starterPublication(v, Path.of("models/astropt-1m-starter"), 2000));
    }

    @Test
    void aPresetTheStarterIsNotIsRefusedInOneLineBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        Path starter = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "models", "astropt-1m-starter");
        AstroptCliTest.Run r = AstroptCliTest.run("demo", "--preset", "5M", "--starter", starter.toString(),
                "--data", dir.resolve("data").toString(), "--kafka-port", "0", "--ui-port", "0", "--port", "0");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(starter + ": the starter is 4 layers, 8 heads, n_embd 128, 3 bands, block 1024, patch 16, but"
                + " trainer.preset 5M makes 6 layers, 8 heads, n_embd 256"), r.err());
        assertFalse(Files.exists(dir.resolve("data")), "nothing started");
    }
}
