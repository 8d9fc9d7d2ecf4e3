package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.schemas.ModelStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The promotion decision and the record's metrics, without Kafka or a model. */
class CandidateJudgeTest {

    @Test
    void theFirstCandidateServesWhenItsLossIsANumber() {
        CandidateJudge.Verdict v = CandidateJudge.verdict(0.32213, null, Double.NaN, 40);
        assertEquals(ModelStatus.PROMOTED, v.status());
        assertEquals("held-out loss 0.32213; no version served before", v.note());
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(Double.NaN, null, Double.NaN, 0).status(),
                "no held-out sequences, no loss: nothing to judge it by");
    }

    @Test
    void aLaterCandidateServesOnlyWhenItBeatsTheServingVersionOnTheSameSequences() {
        CandidateJudge.Verdict better = CandidateJudge.verdict(0.2900, 1L, 0.2934, 91);
        assertEquals(ModelStatus.PROMOTED, better.status());
        assertEquals("held-out loss 0.29000 beats 0.29340 of v1, measured now on the same 91 sequences", better.note());
        CandidateJudge.Verdict worse = CandidateJudge.verdict(0.31, 2L, 0.30, 91);
        assertEquals(ModelStatus.REJECTED, worse.status());
        assertEquals("held-out loss 0.31000 does not beat 0.30000 of v2, measured now on the same 91 sequences", worse.note());
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(0.30, 2L, 0.30, 91).status(), "a tie keeps the serving version");
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(Double.POSITIVE_INFINITY, 2L, 0.30, 91).status(), "a diverged candidate");
    }

    @Test
    void theRecordCarriesEveryNumberOfMetricsJsonButTheParent() {
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("model", "astropt");
        written.put("round", 2);
        written.put("parent_version", 1);
        written.put("heldout_loss", 0.29);
        written.put("eval.probe_r2.mag_r", 0.8);
        assertEquals(Map.of("round", 2.0, "heldout_loss", 0.29, "eval.probe_r2.mag_r", 0.8), CandidateJudge.recordMetrics(written));
    }

    @Test
    void theVersionFolderPublishesTheMeanAndStdOfTheCandidatesHeldOutEmbeddings(@TempDir Path dir) throws Exception {
        Random r = new Random(5);
        List<float[][]> heldOut = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            float[][] tokens = new float[16][16 * 16 * 3];
            for (float[] t : tokens) for (int i = 0; i < t.length; i++) t[i] = (float) r.nextGaussian();
            heldOut.add(tokens);
        }
        try (AstroPTModel model = AstroPTModel.create(ModelConfig.of(1, 2, 32), AstroPTModel.defaultDevice(), 3)) {
            CandidateJudge.writeEmbeddingStats(model, heldOut.subList(0, 1), new ModelFolder(dir.resolve("one")));
            assertTrue(new ModelFolder(dir.resolve("one")).embeddingStats().isEmpty(), "one sequence has no spread: no file");

            CandidateJudge.writeEmbeddingStats(model, heldOut, new ModelFolder(dir.resolve("candidate")));
            EmbeddingStats written = new ModelFolder(dir.resolve("candidate")).embeddingStats().orElseThrow();
            List<float[]> embeddings;
            try (Embedder embedder = new Embedder(model, Embedder.Settings.DEFAULT)) {
                embeddings = embedder.embed(heldOut).stream().map(Embedder.Result::embedding).toList();
            }
            EmbeddingStats expected = EmbeddingStats.of(embeddings);
            assertEquals(12, written.count());
            assertEquals(32, written.dimensions());
            assertArrayEquals(expected.mean(), written.mean(), 1e-5f);
            assertArrayEquals(expected.std(), written.std(), 1e-5f);
        }
    }
}
