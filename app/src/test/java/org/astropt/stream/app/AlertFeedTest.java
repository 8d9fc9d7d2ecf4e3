package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.sim.AlertSimulator;
import org.astropt.stream.core.sim.AlertSurvey;
import org.astropt.stream.core.sim.AlertTruthCatalogue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the alert feed keeps in the data folder between runs (its truth rows, appended, and where its stream goes on),
 * and the model names the demo serves.
 */
class AlertFeedTest {

    @Test
    void aSecondRunAppendsItsTruthRowsUnderTheOneHeader(@TempDir Path dir) throws Exception {
        Path truth = AlertFeed.truthFile(dir, AlertSurvey.ZTF);
        AlertSimulator simulator = new AlertSimulator(AlertSurvey.ZTF, AlertFeed.SEED);
        for (long k : new long[] {0, 1}) {
            try (BufferedWriter w = AlertFeed.truthWriter(truth)) {
                w.write(AlertTruthCatalogue.row(simulator.alert(k)));
                w.newLine();
            }
        }
        List<Map<String, String>> rows = AlertTruthCatalogue.read(truth);
        assertEquals(List.of("0", "1"), rows.stream().map(r -> r.get("index")).toList());
        assertEquals(String.valueOf(AlertFeed.SEED), rows.get(0).get("seed"));
        assertTrue(Files.readString(truth).startsWith(AlertTruthCatalogue.header() + System.lineSeparator()));

        Files.writeString(truth, "not,a,truth,file\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AlertFeed.truthWriter(truth));
        assertEquals(truth + " is not an alert truth catalogue (its first line is not the expected header): move it away", e.getMessage());
    }

    @Test
    void theCutoutAndAlertStreamsGoOnEachFromItsOwnPosition(@TempDir Path dir) throws Exception {
        assertEquals(0, DemoFeed.nextIndex(dir, AlertFeed.STATE_KEY), "a first run starts at alert 0");
        DemoFeed.saveNextIndex(dir, DemoFeed.STATE_KEY, 120);
        DemoFeed.saveNextIndex(dir, AlertFeed.STATE_KEY, 12);
        DemoFeed.saveNextIndex(dir, DemoFeed.STATE_KEY, 240);
        assertEquals(240, DemoFeed.nextIndex(dir));
        assertEquals(12, DemoFeed.nextIndex(dir, AlertFeed.STATE_KEY), "saving the cutouts' position keeps the alerts'");
    }

    @Test
    void theDemoServesTheAlertModelBesideTheGalaxyModelsTheSettingsName() {
        assertEquals("astropt,astropt-ztf", DemoAlerts.modelNames(settings(Map.of()), "astropt"), "none named: the trainer's model");
        assertEquals("galaxy,astropt-ztf", DemoAlerts.modelNames(settings(Map.of("pipeline.model-name", "galaxy")), "astropt"));
        assertEquals("a,astropt-ztf,b", DemoAlerts.modelNames(settings(Map.of("pipeline.model-names", "a, astropt-ztf ,b")), "astropt"));
    }

    private static org.astropt.stream.core.config.SettingsFile settings(Map<String, String> values) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(values);
        return org.astropt.stream.core.config.SettingsFile.of(p);
    }
}
