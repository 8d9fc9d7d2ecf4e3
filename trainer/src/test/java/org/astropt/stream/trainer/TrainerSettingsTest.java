package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.token.InputLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerSettingsTest {

    @Test
    void theShippedFileGivesTheDefaultsInCode() throws Exception {
        Path file = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "config", "trainer.properties");
        if (!file.toFile().exists()) file = Path.of("../config/trainer.properties");
        TrainerSettings shipped = TrainerSettings.load(file, Map.of());
        assertEquals(TrainerSettings.defaults(), shipped);
        assertEquals(Duration.ofMinutes(10), shipped.maxWait());
        assertEquals(0.05, shipped.heldOutFraction());
        assertEquals("1M", shipped.modelPreset().name());
    }

    @Test
    void overridesWinAndBadValuesAreOneLine() throws Exception {
        TrainerSettings s = TrainerSettings.load(null, Map.of("trainer.every", "500", "trainer.max-wait", "30s"));
        assertEquals(500, s.every());
        assertEquals(Duration.ofSeconds(30), s.maxWait());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainerSettings.load(null, Map.of("trainer.max-wait", "soon")));
        assertEquals("the command line: trainer.max-wait = 'soon' is not a duration: write e.g. 500ms, 30s, 10m or 2h", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(null, Map.of("trainer.held-out-fraction", "1.5")));
        assertEquals("the command line: trainer.held-out-fraction must be in (0, 1), got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(null, Map.of("trainer.promote-significance", "0.5")));
        assertEquals("the command line: trainer.promote-significance must be in (0, 0.5), got 0.5", e.getMessage());
        assertEquals(0.02, TrainerSettings.load(null, Map.of("trainer.promote-min-improvement", "0.02")).promoteMinImprovement());
    }

    @Test
    void aBadNumberInTheFileNamesTheFileAndTheKey(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("trainer.properties"), "trainer.batch-size=sixteen\ntrainer.every=0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(file, Map.of()));
        assertEquals(file + ": trainer.batch-size = 'sixteen' is not a whole number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(file, Map.of("trainer.batch-size", "16")));
        assertEquals(file + ": trainer.every must be at least 1, got 0", e.getMessage());
    }

    @Test
    void theKafkaKeysOfTheFileConnectEveryClientOfTheTrainerAndNoSecretIsShown(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("trainer.properties"), String.join("\n",
                "trainer.bootstrap-servers=broker:9094",
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.mechanism=SCRAM-SHA-512",
                "kafka.ssl.truststore.password=trust-pw-1"));
        TrainerSettings s = TrainerSettings.load(file, Map.of());
        Map<String, Object> consumer = s.kafka().config(Map.of("group.id", s.groupId()));
        assertEquals("broker:9094", consumer.get("bootstrap.servers"));
        assertEquals("SASL_SSL", consumer.get("security.protocol"));
        assertEquals("trust-pw-1", consumer.get("ssl.truststore.password"));
        assertEquals(s.kafka(), s.withStepsPerRound(3).kafka(), "kept by the with* copies");
        assertFalse(s.toString().contains("trust-pw-1"), s.toString());
    }

    @Test
    void withoutTrainerModelsTheOneModelKeepsItsFolderGroupAndId() throws Exception {
        TrainerSettings s = TrainerSettings.load(null, Map.of("trainer.state-dir", "data/trainer"));
        assertEquals(List.of(s), s.perModel());
        assertEquals(InputLayout.GRZ_CUTOUT, s.layout());
    }

    @Test
    void trainerModelsGivesEachModelItsLayoutPresetFolderGroupAndTransactionalId(@TempDir Path dir) throws Exception {
        TrainerSettings s = TrainerSettings.load(null, Map.of("trainer.state-dir", dir.toString(),
                "trainer.models", "astropt = grz-cutout, astropt-ztf=alert-triplet:2/4/64"));
        List<TrainerSettings> models = s.perModel();
        assertEquals(List.of("astropt", "astropt-ztf"), models.stream().map(TrainerSettings::modelName).toList());
        TrainerSettings galaxy = models.get(0), alerts = models.get(1);
        assertEquals(InputLayout.GRZ_CUTOUT, galaxy.layout());
        assertEquals(InputLayout.ALERT_TRIPLET, alerts.layout());
        assertEquals("1M", galaxy.preset(), "trainer.preset unless the entry names one");
        assertEquals("2/4/64", alerts.preset());
        assertEquals(dir.resolve("astropt"), galaxy.stateDir());
        assertEquals(dir.resolve("astropt-ztf"), alerts.stateDir());
        assertEquals("astropt-trainer-astropt-ztf", alerts.groupId());
        assertEquals("astropt-trainer-astropt-ztf", alerts.transactionalId());
        assertEquals(s.batchSize(), alerts.batchSize(), "the other keys are shared");
        assertEquals(List.of(), alerts.models());
    }

    @Test
    void aSingleModelStateFolderGoesOnAsItsModelsFolder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("state.json"), "{\"model\": \"astropt\", \"round\": 7, \"phase\": \"IDLE\"}");
        TrainerSettings s = TrainerSettings.load(null, Map.of("trainer.state-dir", dir.toString(),
                "trainer.models", "astropt=grz-cutout, astropt-ztf=alert-triplet"));
        TrainerSettings galaxy = s.perModel().get(0), alerts = s.perModel().get(1);
        assertEquals(dir, galaxy.stateDir(), "the model whose state the folder holds keeps it: round 8 comes next, not 1");
        assertEquals("astropt-trainer", galaxy.groupId());
        assertEquals("astropt-trainer", galaxy.transactionalId());
        assertEquals(7, TrainerState.load(galaxy.stateDir(), "astropt").round);
        assertEquals(dir.resolve("astropt-ztf"), alerts.stateDir());
    }

    @Test
    void aBadTrainerModelsEntryIsOneLineNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainerSettings.load(null, Map.of("trainer.models", "astropt-ztf")));
        assertEquals("the command line: trainer.models entry 'astropt-ztf' is not NAME=LAYOUT[:PRESET]"
                + " (e.g. astropt=grz-cutout, astropt-ztf=alert-triplet)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(null, Map.of("trainer.models", "a=grz-cutout, b=rubin")));
        assertEquals("the command line: trainer.models entry 'b=rubin': unknown input layout 'rubin'; known: [grz-cutout, alert-triplet]",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(null, Map.of("trainer.models", "a=grz-cutout, a=alert-triplet")));
        assertEquals("the command line: trainer.models names 'a' twice", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(null, Map.of("trainer.models", "../x=grz-cutout")));
        assertTrue(e.getMessage().contains("model name '../x' must be letters, digits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(null, Map.of("trainer.models", "a=alert-triplet:huge")));
        assertTrue(e.getMessage().startsWith("the command line: trainer.models entry 'a=alert-triplet:huge': no model preset named 'huge'"), e.getMessage());
    }
}
