package org.astropt.stream.app;

import static org.astropt.stream.app.AstroptCliTest.run;
import static org.astropt.stream.app.AstroptCliTest.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.astropt.stream.app.AstroptCliTest.Run;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.token.InputLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alert model from the command line: {@code astropt train --layout alert-triplet} on simulated ZTF packets makes an
 * 8 px, three-channel model that reads the alert-triplet layout, and {@code astropt heads --alerts} fits its bogus
 * heads from the packets' truth and judges them on another folder.
 */
class AlertModelCommandsTest {

    @TempDir
    Path dir;

    @Test
    void trainsAnAlertModelOnZtfPacketsAndFitsItsBogusHeads() throws Exception {
        Path sample = shared("data", "real", "ztf_739260766315010006.avro");
        Path alerts = dir.resolve("alerts"), other = dir.resolve("other"), model = dir.resolve("model");
        for (Object[] a : new Object[][] {{alerts, "5"}, {other, "6"}}) {
            Run sim = run("simulate-alerts", "--survey", "ztf", "--count", "40", "--seed", (String) a[1], "--out", a[0].toString(),
                    "--schema-from", sample.toString());
            assertEquals(0, sim.exit(), sim.err());
        }
        Run train = run("train", "--data", alerts.toString(), "--layout", "alert-triplet", "--preset", "1M", "--steps", "2",
                "--batch", "4", "--out", model.toString());
        assertEquals(0, train.exit(), train.err());
        ModelConfig c = ModelConfig.read(new ModelFolder(model).config());
        assertEquals(InputLayout.ALERT_TRIPLET, c.inputLayout());
        assertEquals(8, c.patchSize());
        assertEquals(3, c.nChan(), "science, template and difference");
        assertEquals(8 * 8 * 3, c.tokenDim());

        Run heads = run("heads", "--model", model.toString(), "--alerts", alerts.toString(), "--min-positives", "3",
                "--reference-size", "30", "--judge-on", other.toString());
        assertEquals(0, heads.exit(), heads.err());
        assertTrue(heads.out().contains("40 alert packets, labels from its truth.csv"), heads.out());
        assertTrue(heads.out().lines().anyMatch(l -> l.startsWith("judged on " + other + ": 40 alerts (")
                && l.contains("bogus-vs-real ROC AUC")), heads.out());
        assertTrue(new ModelFolder(model).heads().orElseThrow().head("artefact").isPresent(), "an any-bogus head was fitted");

        // the real ZTF packet, embedded by the alert model as its triplet
        Run embed = run("embed", "--weights", model.toString(), sample.toString());
        assertEquals(0, embed.exit(), embed.err());
        assertTrue(embed.out().startsWith("{\"id\":\"ztf_739260766315010006\",\"embedding\":["), embed.out());

        Run simulateAlerts = run("train", "--simulate", "10", "--layout", "alert-triplet", "--out", dir.resolve("x").toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, simulateAlerts.exit());
        assertEquals("astropt: --layout alert-triplet trains on alert packets: give --data DIR", simulateAlerts.err().strip());
    }
}
