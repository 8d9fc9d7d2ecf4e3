package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.io.Npy;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.Tokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path model;
    static Path fits;
    static Path npy;

    /** A 1M model with seeded random weights, two 64 x 64 synthetic galaxies as FITS, one as tokens. */
    @BeforeAll
    static void files() throws Exception {
        model = tmp.resolve("sim-1m");
        try (AstroPTModel m = AstroPTModel.create(ModelConfig.preset("1M").config(), Device.cpu(), 5)) {
            Checkpoint.save(m, model, Safetensors.Dtype.F32);
        }
        Path survey = tmp.resolve("survey");
        new SurveyWriter(survey).write(new SyntheticSurvey(4, 64, 2));
        fits = survey.resolve("fits").resolve(SyntheticSurvey.id(4, 0) + ".fits");
        Tokens t = new PatchTokenizer().tokenize(new CutoutDecoder().decode(survey.resolve("fits").resolve(SyntheticSurvey.id(4, 1) + ".fits")));
        npy = tmp.resolve("second-galaxy.npy");
        Npy.write(npy, new int[] {t.tokenCount(), t.tokenDim()}, t.data());
    }

    @Test
    void fitsAndTokenFilesGiveOneJsonLineEach() throws Exception {
        CliRun run = CliRun.of("embed", fits, npy, "--weights", model);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.errorLines().isEmpty(), run.err());
        List<JsonNode> lines = json(run);
        assertEquals(2, lines.size());
        assertEquals(SyntheticSurvey.id(4, 0), lines.get(0).get("id").asText());
        assertEquals("second-galaxy", lines.get(1).get("id").asText());
        for (JsonNode line : lines) {
            assertEquals("sim-1m", line.get("model").asText());
            assertEquals(16, line.get("tokens").asInt(), "64 x 64 pixels in 16 x 16 patches");
            float[] e = floats(line.get("embedding"));
            assertEquals(128, e.length, "n_embd of the 1M preset");
            for (float v : e) assertTrue(Float.isFinite(v));
            assertTrue(line.get("surprise").isNumber() && Double.isFinite(line.get("surprise").asDouble()), line.toString());
            assertTrue(line.get("surprise").asDouble() > 0, "a random model does not predict the next patch exactly");
        }
        assertTrue(!java.util.Arrays.equals(floats(lines.get(0).get("embedding")), floats(lines.get(1).get("embedding"))),
                "two galaxies, two embeddings");
    }

    @Test
    void aCutoutAndItsTokenFileEmbedAlikeAlsoFromAWeightsFileAndConfig() throws Exception {
        Path sameTokens = tmp.resolve("first-galaxy.npy");
        Tokens t = new PatchTokenizer().tokenize(new CutoutDecoder().decode(fits));
        Npy.write(sameTokens, new int[] {t.tokenCount(), t.tokenDim()}, t.data());
        CliRun run = CliRun.of("embed", fits, sameTokens, "--weights", model.resolve("weights.safetensors"),
                "--model-config", model.resolve("config.json"));
        assertEquals(0, run.exit(), run.err());
        List<JsonNode> lines = json(run);
        assertArrayEquals(floats(lines.get(0).get("embedding")), floats(lines.get(1).get("embedding")), 1e-6f);
        assertEquals(lines.get(0).get("surprise").asDouble(), lines.get(1).get("surprise").asDouble(), 1e-6);
    }

    @Test
    void aBadFileIsOneLineTheOthersAreStillEmbeddedAndTheExitIsTwo() throws Exception {
        Path bad = tmp.resolve("broken.fits");
        Files.writeString(bad, "not a FITS file at all");
        Path oneBand = tmp.resolve("one-band.npy");
        Npy.write(oneBand, new int[] {4, 256}, new float[4 * 256]);
        CliRun run = CliRun.of("embed", bad, npy, oneBand, "--weights", model);
        assertEquals(AstroptCli.EXIT_BAD_INPUT, run.exit());
        List<String> errors = run.errorLines();
        assertEquals(2, errors.size(), run.err());
        assertEquals(2, run.err().lines().count(), "nothing else on stderr: " + run.err());
        assertTrue(errors.get(0).startsWith("astropt: broken.fits: "), errors.get(0));
        assertEquals("astropt: one-band.npy: has tokens of 256 values but the model reads 768 (16x16 patches of 3 bands)",
                errors.get(1));
        List<JsonNode> lines = json(run);
        assertEquals(1, lines.size(), run.out());
        assertEquals("second-galaxy", lines.get(0).get("id").asText());
    }

    @Test
    void aMissingModelIsOneLineAndExitTwo() {
        CliRun run = CliRun.of("embed", npy, "--weights", tmp.resolve("no-such-model"));
        assertEquals(AstroptCli.EXIT_BAD_INPUT, run.exit());
        assertEquals(1, run.errorLines().size(), run.err());
        assertTrue(run.errorLines().get(0).contains("no-such-model"), run.err());
    }

    private static List<JsonNode> json(CliRun run) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : run.outLines()) out.add(JSON.readTree(line));
        return out;
    }

    private static float[] floats(JsonNode array) {
        float[] f = new float[array.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) array.get(i).asDouble();
        return f;
    }
}
