package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
        assertEquals("'soon' is not a duration: write e.g. 500ms, 30s, 10m or 2h", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainerSettings.load(null, Map.of("trainer.held-out-fraction", "1.5")));
    }
}
