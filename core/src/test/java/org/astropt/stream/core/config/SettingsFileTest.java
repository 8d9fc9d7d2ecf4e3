package org.astropt.stream.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.decode.AlertStamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one settings reader: what a user sees when a file is absent, a value is wrong, or the CLI overrides it. */
class SettingsFileTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("my.properties"), text);
    }

    @Test
    void aBadValueIsOneLineNamingTheFileTheKeyAndTheValue() throws IOException {
        Path f = file("trainer.every = ten\n");
        SettingsFile s = SettingsFile.read(f);
        var e = assertThrows(IllegalArgumentException.class, () -> s.longValue("trainer.every", 10_000));
        assertEquals(f + ": trainer.every = 'ten' is not a whole number", e.getMessage());
    }

    @Test
    void everyTypeNamesFileKeyAndValue() throws IOException {
        Path f = file("a=x\n");
        SettingsFile s = SettingsFile.read(f);
        List<Runnable> getters = List.of(() -> s.intValue("a", 0), () -> s.doubleValue("a", 0), () -> s.booleanValue("a", false),
                () -> s.duration("a", Duration.ZERO), () -> s.enumValue("a", AlertStamp.class, AlertStamp.SCIENCE));
        for (Runnable g : getters) {
            String message = assertThrows(IllegalArgumentException.class, g::run).getMessage();
            assertTrue(message.startsWith(f + ": a = 'x' is not "), message);
            assertFalse(message.contains("\n"), message);
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.enumValue("a", AlertStamp.class, null))
                .getMessage().endsWith("is not one of SCIENCE, TEMPLATE, DIFFERENCE"));
    }

    @Test
    void anAbsentFileGivesTheDefaultsButANamedOneMustExist() throws IOException {
        Path missing = dir.resolve("none.properties");
        SettingsFile s = SettingsFile.readIfPresent(missing);
        assertEquals(7, s.intValue("k", 7));
        assertEquals(Duration.ofMinutes(10), s.duration("d", Duration.ofMinutes(10)));
        assertEquals(List.of("a"), s.list("l", List.of("a")));
        assertThrows(NoSuchFileException.class, () -> SettingsFile.read(missing));
    }

    @Test
    void emptyValuesKeepTheDefaultAndValuesAreTrimmed() throws IOException {
        SettingsFile s = SettingsFile.read(file("n=\nname =  astropt  \nlabels = MAG_R, ,REDSHIFT \nflag=TRUE\nstamp=template\n"));
        assertEquals(3, s.intValue("n", 3));
        assertFalse(s.has("n"));
        assertEquals("astropt", s.string("name", null));
        assertEquals(List.of("MAG_R", "REDSHIFT"), s.list("labels", List.of()));
        assertTrue(s.booleanValue("flag", false));
        assertEquals(AlertStamp.TEMPLATE, s.enumValue("stamp", AlertStamp.class, AlertStamp.SCIENCE));
    }

    @Test
    void overridesWinAndTheirErrorsNameWhereTheyCameFrom() throws IOException {
        Path f = file("trainer.every=500\ntrainer.seed=1\n");
        SettingsFile s = SettingsFile.read(f).with(Map.of("trainer.seed", "two"), SettingsFile.COMMAND_LINE);
        assertEquals(500, s.longValue("trainer.every", 0));
        var e = assertThrows(IllegalArgumentException.class, () -> s.longValue("trainer.seed", 0));
        assertEquals("the command line: trainer.seed = 'two' is not a whole number", e.getMessage());
        java.util.HashMap<String, String> skipped = new java.util.HashMap<>();
        skipped.put("trainer.every", null);
        assertEquals(500, s.with(skipped, SettingsFile.COMMAND_LINE).longValue("trainer.every", 0), "a null override is no override");
    }

    @Test
    void durationsInTheUnitsTheFilesUse() {
        assertEquals(Duration.ofMillis(500), SettingsFile.duration("500ms"));
        assertEquals(Duration.ofSeconds(30), SettingsFile.duration("30s"));
        assertEquals(Duration.ofMinutes(10), SettingsFile.duration(" 10m "));
        assertEquals(Duration.ofHours(2), SettingsFile.duration("2h"));
        assertEquals(Duration.ofMinutes(10), SettingsFile.duration("PT10M"));
        var e = assertThrows(IllegalArgumentException.class, () -> SettingsFile.duration("soon"));
        assertEquals("'soon' is not a duration: write e.g. 500ms, 30s, 10m or 2h", e.getMessage());
    }

    @Test
    void aKeyPrefixGivesTheKeysBelowIt() throws IOException {
        SettingsFile s = SettingsFile.read(file("pipeline.producer.batch.size= 1048576 \npipeline.producer.=x\npipeline.batch-size=16\n"));
        assertEquals(Map.of("batch.size", "1048576"), s.withPrefix("pipeline.producer."));
    }

    @Test
    void aRenamedKeyWithAValueIsAnErrorGivingTheNewName() throws IOException {
        Path f = file("old.key=/models/first\nempty.key=\n");
        SettingsFile s = SettingsFile.read(f);
        var e = assertThrows(IllegalArgumentException.class, () -> s.refuseRenamed("old.key", "new.key"));
        assertEquals(f + ": old.key = '/models/first': the key is now new.key", e.getMessage());
        s.refuseRenamed("empty.key", "new.key"); // empty: nothing is lost
    }

    @Test
    void aRangeCheckOfTheSettingsClassGetsTheFileInFront() throws IOException {
        Path f = file("x.size=0\n");
        SettingsFile s = SettingsFile.read(f);
        var e = assertThrows(IllegalArgumentException.class, () -> s.build(() -> {
            int size = s.intValue("x.size", 1);
            if (size < 1) throw new IllegalArgumentException("x.size must be at least 1, not " + size);
            return size;
        }));
        assertEquals(f + ": x.size must be at least 1, not 0", e.getMessage());
    }

    @Test
    void theCoreSettingsOfAFileNameItWhenWrong() throws IOException {
        Path f = file("decode.alert-stamp=thumbnail\n");
        var e = assertThrows(IllegalArgumentException.class, () -> AstroptConfig.load(f).decodeLimits());
        assertEquals(f + ": decode.alert-stamp = 'thumbnail' is not one of SCIENCE, TEMPLATE, DIFFERENCE", e.getMessage());
        assertEquals(AstroptConfig.defaults().tokenizerSettings(), AstroptConfig.of(SettingsFile.readIfPresent(dir.resolve("none"))).tokenizerSettings());
    }
}
