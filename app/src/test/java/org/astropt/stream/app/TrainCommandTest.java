package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.astropt.stream.core.io.Npy;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir
    Path tmp;

    @Test
    void trainOnSimulatedGalaxiesWritesALoadableModelFolder() throws Exception {
        Path out = tmp.resolve("model");
        CliRun run = CliRun.of("train", "--simulate", 40, "--size", 32, "--preset", "1M", "--steps", 4, "--batch", 8,
                "--eval-every", 2, "--out", out);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.errorLines().isEmpty(), run.err());

        ModelConfig expected = ModelConfig.preset("1M").config();
        assertEquals(expected, ModelConfig.read(out.resolve(Checkpoint.CONFIG_FILE)));
        try (AstroPTModel model = Checkpoint.load(out, Device.cpu())) {
            assertEquals(expected, model.config());
        }

        EmbeddingStats stats = new ModelFolder(out).embeddingStats().orElseThrow(() -> new AssertionError("no embedding-stats.json"));
        assertEquals(expected.nEmbd(), stats.dimensions(), "one mean and std per embedding dimension, from the validation cutouts");

        List<String> log = Files.readAllLines(out.resolve("train-log.csv"));
        assertEquals("step,lr,loss,val_loss,tokens_per_s,elapsed_s", log.get(0));
        assertEquals(1 + 5, log.size(), "header, the untrained model (step 0), steps 1 to 4");
        for (int step = 0; step <= 4; step++) {
            String[] cells = log.get(1 + step).split(",", -1);
            assertEquals(String.valueOf(step), cells[0]);
            if (step > 0) assertTrue(Float.isFinite(Float.parseFloat(cells[2])), "training loss at step " + step);
            boolean evaluated = step % 2 == 0; // step 0, then every 2 steps
            assertEquals(evaluated, !cells[3].isEmpty(), "validation loss at step " + step + ": " + log.get(1 + step));
        }
    }

    @Test
    void aDataFolderIsReadOneFilePerObjectAndBadFilesAreSkipped() throws Exception {
        Path data = tmp.resolve("survey");
        new SurveyWriter(data).write(new SyntheticSurvey(3, 32, 10)); // fits/, png/ (same ids), truth.csv
        float[] tokens = new float[4 * 768];
        for (int i = 0; i < tokens.length; i++) tokens[i] = (float) Math.sin(i);
        Npy.write(data.resolve("extra-object.npy"), new int[] {4, 768}, tokens);
        Files.writeString(data.resolve("broken.fits"), "SIMPLE  =                    T");

        CliRun run = CliRun.of("train", "--data", data, "--size", 32, "--steps", 2, "--batch", 4, "--out", tmp.resolve("m"));
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains(": 11 sequences of 4 tokens, "), run.out()); // 10 galaxies (FITS or PNG) + the .npy
        List<String> errors = run.errorLines();
        assertEquals(1, errors.size(), run.err());
        assertTrue(errors.get(0).startsWith("astropt: skipped broken.fits: "), errors.get(0));
    }

    @Test
    void aFolderWithoutCutoutsIsOneLineAndExitTwo() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "nothing here");
        CliRun run = CliRun.of("train", "--data", empty, "--steps", 1, "--out", tmp.resolve("m"));
        assertEquals(AstroptCli.EXIT_BAD_INPUT, run.exit());
        assertEquals(List.of("astropt: " + empty + ": holds no cutout or .npy token file"), run.errorLines());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] command : List.of(new String[] {"train"}, new String[] {"embed"}, new String[] {"bench", "model"},
                new String[] {"tokenize"})) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            CliRun run = CliRun.of((Object[]) args);
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().startsWith("Usage: astropt " + String.join(" ", command) + " "), run.out());
        }
    }

    @Test
    void badSettingsAreOneLineAndExitTwo() {
        CliRun run = CliRun.of("train", "--simulate", 10, "--val-fraction", 1, "--out", tmp.resolve("m"));
        assertEquals(AstroptCli.EXIT_BAD_INPUT, run.exit());
        assertEquals(List.of("astropt: --val-fraction must be in [0, 1), got 1.0"), run.errorLines());
    }
}
