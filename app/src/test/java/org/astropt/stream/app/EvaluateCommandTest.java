package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.trainer.evaluation.GalaxyLabels;
import org.astropt.stream.trainer.evaluation.ModelEvaluation;
import org.astropt.stream.trainer.evaluation.ModelEvaluation.LabelledCutout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** astropt evaluate end to end on a small untrained model and a small survey (32 px: 4 tokens, quick to render). */
class EvaluateCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int COUNT = 60;
    private static final long SEED = 17;
    /** What evaluate --simulate mixes in by default. */
    private static final double NOVEL = 0.1;

    @TempDir
    static Path tmp;
    static Path model;
    static Path survey;

    @BeforeAll
    static void files() throws Exception {
        model = tmp.resolve("tiny");
        try (AstroPTModel m = AstroPTModel.create(ModelConfig.preset("1M").config(), Device.cpu(), 5)) {
            Checkpoint.save(m, model, Safetensors.Dtype.F32);
        }
        survey = tmp.resolve("survey");
        new SurveyWriter(survey).write(new SyntheticSurvey(SEED, 32, COUNT).withNovelFraction(NOVEL)); // as --simulate makes it
    }

    /** The ordinary galaxies among the COUNT that evaluate --simulate makes: the figures' objects. */
    private static long ordinaryCount() {
        SyntheticSurvey s = new SyntheticSurvey(SEED, 32, COUNT).withNovelFraction(NOVEL);
        return LongStream.range(0, COUNT).filter(i -> !s.truth(i).isNovel()).count();
    }

    @Test
    void jsonHasEveryFigureBesideThePcaBaseline() throws Exception {
        CliRun run = CliRun.of("evaluate", "--model", model, "--simulate", COUNT, "--seed", SEED, "--size", 32, "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode o = JSON.readTree(run.out());
        assertTrue(ordinaryCount() < COUNT, "the default survey mixes in novel objects");
        assertEquals(ordinaryCount(), o.get("eval.objects").asInt(), "the figures leave the novel objects out");
        assertTrue(o.get("source").asText().endsWith(", " + (COUNT - ordinaryCount()) + " novel"), o.get("source").asText());
        assertEquals(128, o.get("eval.dim").asInt(), "the baseline has the embedding's width");
        for (String q : GalaxyLabels.QUANTITIES) {
            assertTrue(o.has("eval.probe_r2." + q) && o.has("eval.pca.probe_r2." + q), q + " in " + o);
            assertTrue(o.get("eval.probe_r2." + q).asDouble() <= 1);
        }
        for (String key : new String[] {"eval.morphology_accuracy", "eval.pca.morphology_accuracy", "eval.knn_purity10",
                "eval.pca.knn_purity10", "eval.auc.any.surprise", "eval.auc.any.probe", "eval.pca.auc.any.probe",
                "eval.precision_at_recall80.any.surprise"}) {
            double v = o.get(key).asDouble(-1);
            assertTrue(v >= 0 && v <= 1, key + " = " + v);
        }
        assertTrue(o.get("eval.positives.any").asInt() >= 5, "a 30 % artefact survey has artefacts: " + o);
    }

    @Test
    void aSimulateFolderGivesTheFiguresOfTheSameSurveyMadeInMemory() throws Exception {
        CliRun memory = CliRun.of("evaluate", "--model", model, "--simulate", COUNT, "--seed", SEED, "--size", 32, "--json");
        CliRun folder = CliRun.of("evaluate", "--model", model, "--data", survey, "--seed", SEED, "--size", 32, "--json");
        assertEquals(0, folder.exit(), folder.err());
        JsonNode a = JSON.readTree(memory.out()), b = JSON.readTree(folder.out());
        for (String key : new String[] {"eval.objects", "eval.positives.any", "eval.morphology_majority",
                "eval.probe_r2.mag_r", "eval.auc.any.surprise", "eval.pca.probe_r2.colour_gr"}) {
            assertEquals(a.get(key).asDouble(), b.get(key).asDouble(), 1e-6, key + ": truth.csv and FITS read back as made");
        }
    }

    @Test
    void novelObjectsLeaveTheFiguresOnTheOrdinaryGalaxiesAsTheyWere() throws Exception {
        PatchTokenizer tokenizer = new PatchTokenizer(org.astropt.stream.core.token.TokenizerSettings.defaults().withSize(32));
        List<LabelledCutout> mixed = TrainingData.simulate(new SyntheticSurvey(SEED, 32, COUNT).withNovelFraction(0.3), tokenizer,
                (g, tokens) -> new LabelledCutout(g.id(), tokens, GalaxyLabels.of(g.truth())));
        List<LabelledCutout> ordinary = ModelEvaluation.ordinary(mixed);
        assertTrue(ordinary.size() < COUNT - 8 && ordinary.size() >= ModelEvaluation.MIN_OBJECTS, ordinary.size() + " ordinary");
        try (AstroPTModel m = Checkpoint.load(model, Device.cpu())) {
            Map<String, Double> withNovel = new java.util.TreeMap<>(ModelEvaluation.evaluate(m, mixed, 5, SEED));
            Map<String, Double> without = new java.util.TreeMap<>(ModelEvaluation.evaluate(m, ordinary, 5, SEED));
            withNovel.remove("eval.seconds");
            without.remove("eval.seconds");
            // the novel objects add their own figures (novelty, surprise and brightness against them) and change no other
            java.util.function.Predicate<String> aboutNovel = k -> k.contains(".novel") || k.contains("anomaly_");
            assertTrue(withNovel.keySet().stream().anyMatch(aboutNovel), withNovel.keySet().toString());
            withNovel.keySet().removeIf(aboutNovel);
            assertEquals(without, withNovel);
        }
        CliRun bad = CliRun.of("evaluate", "--model", model, "--simulate", COUNT, "--novel-fraction", "1.5");
        assertEquals(AstroptCli.EXIT_BAD_INPUT, bad.exit());
        assertTrue(bad.errorLines().get(0).contains("--novel-fraction"), bad.err());
    }

    @Test
    void theTableNamesBothColumnsAndABadModelIsOneLine() {
        CliRun run = CliRun.of("evaluate", "--model", model, "--simulate", COUNT, "--seed", SEED, "--size", 32);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("embedding") && run.out().contains("pixel PCA") && run.out().contains("probe R^2 mag_r"), run.out());
        CliRun bad = CliRun.of("evaluate", "--model", tmp.resolve("no-such-model"), "--simulate", COUNT);
        assertEquals(AstroptCli.EXIT_BAD_INPUT, bad.exit());
        assertEquals(1, bad.errorLines().size(), bad.err());
        assertTrue(bad.errorLines().get(0).contains("no-such-model"), bad.err());
    }

    @Test
    void writeStatsGivesTheFolderTheStatisticsOfTheseCutoutsEmbeddings() throws Exception {
        Path copy = tmp.resolve("tiny-with-stats");
        try (AstroPTModel m = Checkpoint.load(model, Device.cpu())) {
            Checkpoint.save(m, copy, Safetensors.Dtype.F32);
        }
        CliRun run = CliRun.of("evaluate", "--model", copy, "--simulate", COUNT, "--seed", SEED, "--size", 32, "--write-stats");
        assertEquals(0, run.exit(), run.err());
        EmbeddingStats stats = new ModelFolder(copy).embeddingStats().orElseThrow(() -> new AssertionError("no embedding-stats.json"));
        assertEquals(ordinaryCount(), stats.count(), "every evaluated ordinary galaxy's embedding");
        assertEquals(ModelConfig.preset("1M").config().nEmbd(), stats.dimensions());
        CliRun version = CliRun.of("evaluate", "--model", "astropt:1", "--simulate", COUNT, "--write-stats");
        assertEquals(AstroptCli.EXIT_BAD_INPUT, version.exit());
        assertTrue(version.errorLines().get(0).contains("--write-stats takes a model folder"), version.err());
    }
}
