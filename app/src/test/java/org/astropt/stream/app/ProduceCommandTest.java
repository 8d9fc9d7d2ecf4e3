package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code astropt produce} against a real in-process broker: what lands on the topic, read back read_committed. */
class ProduceCommandTest {

    @TempDir
    Path dir;

    @Test
    void producedFilesArriveOnceEachKeyedByFileNameAsCutoutsWithTheFileBytes() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in/nested"));
        SyntheticSurvey survey = new SyntheticSurvey(3, 32, 4);
        Map<String, byte[]> files = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            String id = "obj-" + i;
            byte[] fits = SurveyWriter.fitsBytes(survey.galaxy(i));
            Files.write((i % 2 == 0 ? in : in.getParent()).resolve(id + ".fits"), fits);
            files.put(id, fits);
        }
        Files.writeString(in.resolve("notes.txt"), "not an image");
        Topics topics = Topics.defaults();
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir.resolve("kafka"), 0, topics)) {
            AstroptCliTest.Run r = AstroptCliTest.run("produce", dir.resolve("in").toString(),
                    "--bootstrap", kafka.bootstrapServers(), "--rate", "50");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("4 cutouts"), r.out());

            List<ConsumerRecord<byte[], byte[]>> read = CommittedRecords.read(kafka.bootstrapServers(), topics.name(Topics.CUTOUTS),
                    records -> records.size() >= 4, Duration.ofSeconds(30), Duration.ofSeconds(1));
            assertEquals(4, read.size(), "records");
            AvroCodec<Cutout> codec = AvroCodec.of(Cutout.class);
            Map<String, Cutout> byKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> rec : read) {
                byKey.put(new String(rec.key(), StandardCharsets.UTF_8), codec.decode(rec.value()));
            }
            assertEquals(files.keySet(), byKey.keySet());
            for (Map.Entry<String, Cutout> e : byKey.entrySet()) {
                Cutout c = e.getValue();
                assertEquals(e.getKey(), c.getId());
                assertEquals(ImageFormat.AUTO, c.getFormat());
                assertEquals("synthetic-grz", c.getSurvey(), "from the FITS SURVEY card");
                ByteBuffer image = c.getImage();
                byte[] bytes = new byte[image.remaining()];
                image.get(bytes);
                assertArrayEquals(files.get(e.getKey()), bytes, e.getKey());
            }
        }
    }

    @Test
    void rawSendsTheFilesBytesAsTheyAreAlertsKeyedByCandid() throws Exception {
        Path ztf = org.astropt.stream.core.SharedFixtures.realData("ztf_739260766315010006.avro");
        Path in = Files.createDirectories(dir.resolve("raw"));
        Path packet = Files.copy(ztf, in.resolve("packet.avro"));
        byte[] fits = SurveyWriter.fitsBytes(new SyntheticSurvey(3, 32, 1).galaxy(0));
        Files.write(in.resolve("galaxy-7.fits"), fits);
        Topics topics = Topics.defaults();
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir.resolve("kafka"), 0, topics)) {
            String topic = topics.name(Topics.CUTOUTS);
            AstroptCliTest.Run r = AstroptCliTest.run("produce", in.toString(), "--bootstrap", kafka.bootstrapServers(),
                    "--topic", topic, "--format", "raw");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("2 files as they are"), r.out());
            Map<String, byte[]> byKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> rec : CommittedRecords.read(kafka.bootstrapServers(), topic,
                    records -> records.size() >= 2, Duration.ofSeconds(30), Duration.ofSeconds(1))) {
                byKey.put(new String(rec.key(), StandardCharsets.UTF_8), rec.value());
            }
            assertEquals(java.util.Set.of("739260766315010006", "galaxy-7"), byKey.keySet());
            assertArrayEquals(Files.readAllBytes(packet), byKey.get("739260766315010006"));
            assertArrayEquals(fits, byKey.get("galaxy-7"));
        }
    }

    @Test
    void aMissingInputIsOneLineNamingIt() {
        AstroptCliTest.Run r = AstroptCliTest.run("produce", dir.resolve("nowhere.fits").toString(), "--bootstrap", "localhost:1");
        assertEquals(AstroptCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().contains("nowhere.fits: no such file"), r.err());
    }
}
