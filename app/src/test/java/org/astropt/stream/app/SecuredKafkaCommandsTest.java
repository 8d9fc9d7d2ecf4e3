package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.LocalTls;
import org.astropt.stream.kafka.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands with {@code --kafka-config} against a broker that only lets SASL_SSL clients in: produce and
 * models list get through with the right file; with a wrong password produce fails in seconds with an
 * authentication error that shows no secret; a bad file is a one-line error naming it.
 */
class SecuredKafkaCommandsTest {

    @TempDir
    Path dir;

    @Test
    void produceAndModelsListGoThroughSaslSslAndAWrongPasswordIsRefused() throws Exception {
        LocalTls tls = LocalTls.create(dir.resolve("tls"), "store-pw");
        Topics topics = Topics.defaults();
        try (LocalKafkaBroker kafka = LocalKafkaBroker.startSecured(dir.resolve("kafka"), topics, tls, Map.of("astropt", "astropt-pw"))) {
            String bootstrap = kafka.securedBootstrapServers();
            Path good = write("good.properties", kafka.securedClientProperties("astropt", "astropt-pw"));
            Path wrong = write("wrong.properties", kafka.securedClientProperties("astropt", "wrong-pw"));
            Path in = Files.createDirectories(dir.resolve("in"));
            Files.write(in.resolve("obj-0.fits"), SurveyWriter.fitsBytes(new SyntheticSurvey(3, 32, 1).galaxy(0)));

            CliRun produced = CliRun.of("produce", in, "--bootstrap", bootstrap, "--kafka-config", good);
            assertEquals(0, produced.exit(), produced.err());
            assertTrue(produced.out().startsWith("1 cutouts"), produced.out());
            assertEquals(1, CommittedRecords.atLeast(kafka.securedClient("astropt", "astropt-pw"), topics.name(Topics.CUTOUTS), 1,
                    Duration.ofSeconds(30)).size());

            CliRun list = CliRun.of("models", "list", "--bootstrap", bootstrap, "--kafka-config", good,
                    "--config", dir.resolve("none.properties"), "--topics", dir.resolve("none.properties"));
            assertEquals(0, list.exit(), list.err());

            long start = System.nanoTime();
            CliRun refused = CliRun.of("produce", in, "--bootstrap", bootstrap, "--kafka-config", wrong);
            assertTrue(refused.exit() != 0, refused.out());
            assertTrue(refused.err().contains("Authentication failed"), refused.err());
            assertFalse(refused.err().contains("wrong-pw") || refused.err().contains("store-pw"), refused.err());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "refused after more than 20 s");
        }
    }

    @Test
    void aMissingOrBadKafkaConfigIsOneLineNamingIt() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.write(in.resolve("obj-0.fits"), SurveyWriter.fitsBytes(new SyntheticSurvey(3, 32, 1).galaxy(0)));
        CliRun missing = CliRun.of("produce", in, "--bootstrap", "localhost:1", "--kafka-config", dir.resolve("nowhere.properties"));
        assertEquals(AstroptCli.EXIT_BAD_INPUT, missing.exit());
        assertTrue(missing.err().contains("--kafka-config " + dir.resolve("nowhere.properties") + ": no such file"), missing.err());

        Properties bad = new Properties();
        bad.setProperty("kafka.security.protocol", "TLS");
        Path file = write("bad.properties", bad);
        CliRun refused = CliRun.of("produce", in, "--bootstrap", "localhost:1", "--kafka-config", file);
        assertEquals(AstroptCli.EXIT_BAD_INPUT, refused.exit());
        assertTrue(refused.err().contains(file + ": kafka.security.protocol = 'TLS' is not one of"), refused.err());
    }

    private Path write(String name, Properties p) throws Exception {
        Path f = dir.resolve(name);
        try (Writer w = Files.newBufferedWriter(f)) {
            p.store(w, null);
        }
        return f;
    }
}
