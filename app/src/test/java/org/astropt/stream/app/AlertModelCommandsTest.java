package org.astropt.stream.app;

import static org.astropt.stream.app.AstroptCliTest.run;
import static org.astropt.stream.app.AstroptCliTest.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.astropt.stream.app.AstroptCliTest.Run;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.sim.AlertTruthCatalogue;
import org.astropt.stream.core.token.InputLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alert model from the command line: {@code astropt train --layout alert-triplet} on simulated ZTF packets makes an
 * 8 px, three-channel model that reads the alert-triplet layout, and {@code astropt heads --alerts} fits its bogus
 * heads from the packets' truth and judges them on another folder. The shipped Rubin alert model
 * (models/astropt-rubin-1m-starter) embeds Rubin packets (Confluent-framed, writer schema beside them) and its own
 * bogus head tells bogus from real on a seed it never saw.
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
        for (String baseline : new String[] {"token statistics", "pixel PCA"}) {
            assertTrue(heads.out().lines().anyMatch(l -> l.startsWith("baseline, no model: logistic probe on " + baseline)
                    && l.contains("bogus-vs-real ROC AUC")), heads.out());
        }
        assertTrue(new ModelFolder(model).heads().orElseThrow().head("artefact").isPresent(), "an any-bogus head was fitted");

        // the real ZTF packet, embedded by the alert model as its triplet
        Run embed = run("embed", "--weights", model.toString(), sample.toString());
        assertEquals(0, embed.exit(), embed.err());
        assertTrue(embed.out().startsWith("{\"id\":\"ztf_739260766315010006\",\"embedding\":["), embed.out());

        Run simulateAlerts = run("train", "--simulate", "10", "--layout", "alert-triplet", "--out", dir.resolve("x").toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, simulateAlerts.exit());
        assertEquals("astropt: --layout alert-triplet trains on alert packets: give --data DIR", simulateAlerts.err().strip());
    }

    static final Path RUBIN_STARTER = StarterModelTest.ROOT.resolve("models/astropt-rubin-1m-starter");

    /**
     * The Rubin sample of shared/data/real carries no stamps (its cutouts are null), so simulated Rubin packets of a seed
     * the starter was neither trained (1), fitted (2) nor judged (27182) on stand in for it.
     */
    @Test
    void theRubinStarterEmbedsRubinPacketsAndItsBogusHeadSeparatesThem() throws Exception {
        Path sample = shared("data", "real", "lsst_v11_0_fakeAlert.avro");
        Path alerts = dir.resolve("rubin");
        Run sim = run("simulate-alerts", "--survey", "rubin", "--count", "90", "--seed", "31", "--out", alerts.toString(),
                "--schema-from", sample.toString());
        assertEquals(0, sim.exit(), sim.err());
        ModelConfig c = new ModelFolder(RUBIN_STARTER).verify(null, null);
        assertEquals(InputLayout.ALERT_TRIPLET, c.inputLayout());
        assertEquals(ModelConfig.preset("1M").config().withPatchSize(8).withChannels(3).withInputLayout(InputLayout.ALERT_TRIPLET), c);

        // one packet through astropt embed: its writer schema is found in schemas/ beside it
        List<Map<String, String>> truth = AlertTruthCatalogue.read(alerts.resolve("truth.csv"));
        Path packet = alerts.resolve(truth.get(0).get("file"));
        Run embed = run("embed", "--weights", RUBIN_STARTER.toString(), packet.toString());
        assertEquals(0, embed.exit(), embed.err());
        assertTrue(embed.out().startsWith("{\"id\":\"" + truth.get(0).get("source_id") + "\",\"embedding\":["), embed.out());
        assertTrue(embed.out().strip().endsWith("\"model\":\"astropt-rubin-1m-starter\",\"tokens\":16}"), embed.out());

        // the starter's own bogus head (shipped in its weights) on all 90, through astropt evaluate --alerts
        Run evaluate = run("evaluate", "--model", RUBIN_STARTER.toString(), "--alerts", alerts.toString(), "--json");
        assertEquals(0, evaluate.exit(), evaluate.err());
        com.fasterxml.jackson.databind.JsonNode figures = new com.fasterxml.jackson.databind.ObjectMapper().readTree(evaluate.out());
        assertEquals(90, figures.get("alerts.count").asInt());
        assertEquals(truth.stream().filter(r -> "bogus".equals(r.get("label"))).count(), figures.get("alerts.bogus").asLong());
        double auc = figures.get("alerts.bogus_auc.head").asDouble();
        System.out.printf("the Rubin starter's bogus head on 90 packets of seed 31: ROC AUC %.3f (surprise alone %.3f, token-statistics probe %.3f)%n",
                auc, figures.get("alerts.bogus_auc.surprise").asDouble(), figures.get("alerts.bogus_auc.token_statistics").asDouble());
        assertTrue(auc >= 0.9, "bogus-vs-real ROC AUC of the Rubin starter's head on seed 31: " + auc);
        assertTrue(auc > figures.get("alerts.bogus_auc.token_statistics").asDouble(), "the head beats the no-model probe: " + evaluate.out());

        Run galaxyModel = run("evaluate", "--model", StarterModelTest.ROOT.resolve("models/astropt-1m-starter").toString(), "--alerts", alerts.toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, galaxyModel.exit());
        assertTrue(galaxyModel.err().contains("reads grz-cutout, not alert triplets: --alerts judges alert models"), galaxyModel.err());
    }
}
