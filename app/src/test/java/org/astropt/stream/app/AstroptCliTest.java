package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user runs it: exit codes, what lands on disk, what stdout and stderr say. */
class AstroptCliTest {

    @TempDir
    Path dir;

    /** One CLI run: exit code and what it printed. */
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = AstroptCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static Path shared(String first, String... rest) {
        return SharedFixtures.require(Path.of(first, rest));
    }

    @Test
    void simulateWritesOneFitsCubeAndPreviewPerCutoutAndATruthRowEach() throws Exception {
        Run r = run("simulate", "--count", "5", "--size", "48", "--seed", "7", "--out", dir.toString());
        assertEquals(0, r.exit(), r.err());
        try (Stream<Path> fits = Files.list(dir.resolve("fits")); Stream<Path> png = Files.list(dir.resolve("png"))) {
            assertEquals(5, fits.count());
            assertEquals(5, png.count());
        }
        assertEquals(1 + 5, Files.readAllLines(dir.resolve("truth.csv")).size());
    }

    @Test
    void simulateAlertsWritesOnePacketPerAlertAndTheTruthAndSaysWhatIsWrongWithItsInput() throws Exception {
        Path sample = shared("data", "real", "ztf_739260766315010006.avro");
        Path out = dir.resolve("alerts");
        Run r = run("simulate-alerts", "--survey", "ztf", "--count", "4", "--seed", "3", "--out", out.toString(),
                "--schema-from", sample.toString());
        assertEquals(0, r.exit(), r.err());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(4, files.filter(f -> f.toString().endsWith(".avro")).count());
        }
        List<String> truth = Files.readAllLines(out.resolve("truth.csv"));
        assertEquals(5, truth.size());
        assertTrue(truth.get(0).startsWith("file,survey,seed,index,source_id,object_id,kind,label"), truth.get(0));
        assertTrue(r.out().startsWith("4 ZTF alerts (seed 3: "), r.out());

        Run bad = run("simulate-alerts", "--survey", "hubble", "--out", out.toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, bad.exit());
        assertEquals("astropt: --survey hubble is not a survey this simulates: use ztf or rubin", bad.err().strip());
        Run noSample = run("simulate-alerts", "--survey", "rubin", "--out", out.toString(), "--schema-from", dir.resolve("none.avro").toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, noSample.exit());
        assertTrue(noSample.err().strip().endsWith("none.avro: no such sample alert packet (the alert schema is read from one)"), noSample.err());
    }

    @Test
    void simulateWithANovelFractionNamesEachNovelObjectsKindInTheTruth() throws Exception {
        Path out = dir.resolve("novel");
        Run r = run("simulate", "--count", "6", "--size", "32", "--seed", "7", "--novel-fraction", "1", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        var rows = org.astropt.stream.core.sim.TruthCatalogue.read(out.resolve("truth.csv"));
        assertEquals(6, rows.size());
        for (var row : rows) assertTrue(java.util.Set.of("MERGER", "RING", "LENSED_ARC").contains(row.get("novel")), row.toString());
        Run plain = run("simulate", "--count", "2", "--size", "32", "--seed", "7", "--out", dir.resolve("plain").toString());
        assertEquals(0, plain.exit(), plain.err());
        for (var row : org.astropt.stream.core.sim.TruthCatalogue.read(dir.resolve("plain").resolve("truth.csv"))) assertEquals("", row.get("novel"));
    }

    @Test
    void tokenizeOfTheReferenceFitsWritesTheReferenceTokens() throws Exception {
        Path fixture = shared("fixtures", "astropt-v1-tiny");
        Path out = dir.resolve("tokens.npy");
        Run r = run("tokenize", fixture.resolve("image.fits").toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        Npy.Array ours = Npy.read(out), reference = Npy.read(fixture.resolve("tokens.npy"));
        assertArrayEquals(reference.shape(), ours.shape());
        for (int i = 0; i < ours.data().length; i++) {
            assertEquals(reference.data()[i], ours.data()[i], 1e-5, "value " + i);
        }
    }

    @Test
    void tokenizeOfThreeDecalsBandsCombinesThemIntoGrzTokens() throws Exception {
        Path real = shared("data", "real");
        Path out = dir.resolve("decals.npy");
        Run r = run("tokenize", real.resolve("decals_dr9_S4_g.fits").toString(),
                real.resolve("decals_dr9_S4_r.fits").toString(), real.resolve("decals_dr9_S4_z.fits").toString(),
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        // 101x100, 101x100 and 100x100 crops -> 100x100 -> largest multiple of 16: 96 -> a 6x6 grid.
        assertArrayEquals(new int[] {36, 16 * 16 * 3}, Npy.read(out).shape());
        assertTrue(r.out().contains("[g, r, z]"), r.out());
    }

    @Test
    void tokenizeWithAForcedSizePadsAndWithAnotherPatchChangesTheTokenShape() throws Exception {
        Path fits = shared("fixtures", "astropt-v1-tiny", "image.fits");
        assertEquals(0, run("tokenize", fits.toString(), "--size", "96", "--out", dir.resolve("a.npy").toString()).exit());
        assertArrayEquals(new int[] {36, 768}, Npy.read(dir.resolve("a.npy")).shape());
        assertEquals(0, run("tokenize", fits.toString(), "--patch", "8", "--out", dir.resolve("b.npy").toString()).exit());
        assertArrayEquals(new int[] {64, 8 * 8 * 3}, Npy.read(dir.resolve("b.npy")).shape());
    }

    @Test
    void inspectShowsTheZtfAlertFieldsAndItsScienceStamp() {
        Run r = run("inspect", shared("data", "real", "ztf_739260766315010006.avro").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("objectId"), r.out());
        assertTrue(r.out().contains("63 x 63"), r.out());
    }

    @Test
    void badInputEndsWithExitTwoAndOneLineNamingTheFile() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.fits"));
        Run r = run("tokenize", empty.toString(), "--out", dir.resolve("x.npy").toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, r.exit());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("astropt: empty.fits: "), lines.get(0));
        assertTrue(Files.notExists(dir.resolve("x.npy")));

        Run missing = run("tokenize", dir.resolve("nope.fits").toString(), "--out", dir.resolve("y.npy").toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope.fits"), missing.err());
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        Path junk = Files.write(dir.resolve("junk.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Run r = run("tokenize", junk.toString(), "--out", dir.resolve("x.npy").toString(), "--verbose");
        assertEquals(AstroptCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().lines().findFirst().orElse("").startsWith("astropt: junk.bin: format not recognised"), r.err());
        assertTrue(r.err().contains("\tat org.astropt"), r.err());
    }

    @Test
    void inspectOfABadFileSaysWhyAndExitsTwo() throws Exception {
        Path truncated = dir.resolve("truncated.fits");
        Files.write(truncated, "SIMPLE  =                    T".getBytes());
        Run r = run("inspect", truncated.toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().startsWith("astropt: " + truncated + ": "), r.err());
    }

    @Test
    void aBadSettingsValueNamesTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.properties"), "tokenizer.patch-size=sixteen\n");
        Run r = run("tokenize", shared("fixtures", "astropt-v1-tiny", "image.fits").toString(), "--config",
                config.toString(), "--out", dir.resolve("x.npy").toString());
        assertEquals(AstroptCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().contains(config + ": tokenizer.patch-size = 'sixteen' is not a whole number"), r.err());
    }
}
