package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.astropt.stream.core.heads.LogisticHead;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.schemas.ModelStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The promotion decision, the held-out loss it stands on and the record's metrics, without Kafka. */
class CandidateJudgeTest {

    private static final double MIN_IMPROVEMENT = 0.005;
    private static final double SIGNIFICANCE = 0.01;
    private static final CandidateJudge.Improvement UNMEASURED = new CandidateJudge.Improvement(Double.NaN, Double.NaN, 0);

    @Test
    void theFirstCandidateServesWhenItsLossIsANumber() {
        CandidateJudge.Verdict v = CandidateJudge.verdict(0.32213, null, Double.NaN, UNMEASURED, MIN_IMPROVEMENT, SIGNIFICANCE);
        assertEquals(ModelStatus.PROMOTED, v.status());
        assertEquals("held-out loss 0.32213; no version served before", v.note());
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(Double.NaN, null, Double.NaN, UNMEASURED, MIN_IMPROVEMENT, SIGNIFICANCE).status(),
                "no held-out sequences, no loss: nothing to judge it by");
    }

    @Test
    void aCandidateWhoseHeadsNoLongerRaiseAServingFlagIsNamedForIt() {
        ScoreHeads serving = heads(head("artefact", 0.7), head("dipole", 0.8), head("ghost", Double.NaN));
        assertEquals(List.of(), CandidateJudge.droppedFlags(serving, heads(head("artefact", 0.6), head("dipole", 0.9))),
                "thresholds may move; a head that never flagged (ghost) is not missed");
        assertEquals(List.of("dipole"), CandidateJudge.droppedFlags(serving, heads(head("artefact", 0.6))), "the dipole head is gone");
        assertEquals(List.of("artefact", "dipole"), CandidateJudge.droppedFlags(serving, heads(head("artefact", Double.NaN))),
                "a head without a threshold raises no flag");
        assertEquals(List.of(), CandidateJudge.droppedFlags(ScoreHeads.NONE, ScoreHeads.NONE));
    }

    private static ScoreHeads heads(LogisticHead... heads) {
        return new ScoreHeads(List.of(heads), null, ScoreHeads.DEFAULT_ANOMALY_QUANTILE, java.util.Map.of());
    }

    private static LogisticHead head(String name, double threshold) {
        return new LogisticHead(name, new double[] {0}, new double[] {1}, new double[] {1}, 0, threshold);
    }

    @Test
    void theImprovementIsThePairedMeanDifferenceWithItsStandardErrorAndOneSidedP() {
        CandidateJudge.Improvement i = CandidateJudge.Improvement.of(new double[] {2, 3, 4}, new double[] {1, 1, 1});
        assertEquals(2.0, i.mean(), 1e-12);
        assertEquals(1 / Math.sqrt(3), i.standardError(), 1e-12, "sd 1 of the differences over sqrt(3)");
        assertEquals(2 * Math.sqrt(3), i.t(), 1e-12);
        // Student's t with 2 degrees of freedom has the closed form P(T > t) = 1/2 - t / (2 sqrt(t^2 + 2)).
        assertEquals(0.5 - i.t() / (2 * Math.sqrt(i.t() * i.t() + 2)), i.pValue(), 1e-9);
        assertTrue(Double.isNaN(CandidateJudge.Improvement.of(new double[] {2}, new double[] {1}).pValue()), "one sequence has no spread");
    }

    @Test
    void aTinyImprovementOnNoisyDifferencesIsRejected() {
        // The demo's v9 -> v10: 0.28287 -> 0.28237 (0.18%) on 256 sequences whose losses differ by about 0.01 each.
        CandidateJudge.Improvement tiny = paired(256, 0.28287, 0.0005, 0.01, 7);
        CandidateJudge.Verdict v = CandidateJudge.verdict(0.28287 - tiny.mean(), 9L, 0.28287, tiny, MIN_IMPROVEMENT, SIGNIFICANCE);
        assertEquals(ModelStatus.REJECTED, v.status(), v.note());
        assertTrue(v.note().startsWith("held-out loss 0.28"), v.note());
        assertTrue(v.note().contains("does not beat 0.28287 of v9"), v.note());
        assertTrue(v.note().contains("over the same 256 sequences (promotes at >= 0.00141 (0.50%) and p <= 0.01)"), v.note());

        // 1% better on average, but the differences scatter by 0.1: the noise could explain it.
        CandidateJudge.Improvement noisy = paired(40, 0.30, 0.003, 0.1, 8);
        assertTrue(noisy.mean() >= MIN_IMPROVEMENT * 0.30, "large enough: " + noisy);
        CandidateJudge.Verdict n = CandidateJudge.verdict(0.30 - noisy.mean(), 2L, 0.30, noisy, MIN_IMPROVEMENT, SIGNIFICANCE);
        assertEquals(ModelStatus.REJECTED, n.status(), n.note());
        assertTrue(n.note().contains("does not beat 0.30000 of v2 significantly"), n.note());
    }

    @Test
    void aClearImprovementIsPromotedWithItsFiguresInTheNote() {
        CandidateJudge.Improvement clear = new CandidateJudge.Improvement(0.0034, 0.0005, 91);
        CandidateJudge.Verdict v = CandidateJudge.verdict(0.2900, 1L, 0.2934, clear, MIN_IMPROVEMENT, SIGNIFICANCE);
        assertEquals(ModelStatus.PROMOTED, v.status());
        assertEquals("held-out loss 0.29000 beats 0.29340 of v1: improvement 0.00340 (1.16%) +- 0.00050 s.e., t 6.80, p "
                + String.format(java.util.Locale.ROOT, "%.2g", clear.pValue())
                + " over the same 91 sequences (promotes at >= 0.00147 (0.50%) and p <= 0.01)", v.note());
        assertTrue(clear.pValue() < 1e-8, "t 6.8 on 90 degrees of freedom: " + clear.pValue());
        assertEquals(ModelStatus.PROMOTED, CandidateJudge.verdict(0.27, 1L, 0.2934, paired(256, 0.2934, 0.02, 0.01, 9),
                MIN_IMPROVEMENT, SIGNIFICANCE).status());
    }

    @Test
    void theMinimumEffectHoldsEvenWhenTheImprovementIsSignificant() {
        // 0.0005 better on every sequence, almost without scatter: certain, but 0.18% of the loss.
        CandidateJudge.Improvement small = paired(256, 0.28287, 0.0005, 0.0001, 10);
        assertTrue(small.pValue() < 1e-10, "significant: " + small);
        CandidateJudge.Verdict v = CandidateJudge.verdict(0.28237, 9L, 0.28287, small, MIN_IMPROVEMENT, SIGNIFICANCE);
        assertEquals(ModelStatus.REJECTED, v.status(), v.note());
        assertTrue(v.note().contains("does not beat 0.28287 of v9 by enough"), v.note());
        assertEquals(ModelStatus.PROMOTED, CandidateJudge.verdict(0.28237, 9L, 0.28287, small, 0.001, SIGNIFICANCE).status(),
                "a smaller minimum effect, set by the operator, lets it through");
    }

    @Test
    void aWorseTiedOrDivergedCandidateIsRejected() {
        CandidateJudge.Improvement worse = paired(90, 0.30, -0.01, 0.01, 11);
        CandidateJudge.Verdict v = CandidateJudge.verdict(0.31, 2L, 0.30, worse, MIN_IMPROVEMENT, SIGNIFICANCE);
        assertEquals(ModelStatus.REJECTED, v.status());
        assertTrue(v.note().startsWith("held-out loss 0.31000 does not beat 0.30000 of v2: improvement -0.01000 (-3.33%)"), v.note());
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(0.30, 2L, 0.30, new CandidateJudge.Improvement(0, 0, 91),
                MIN_IMPROVEMENT, SIGNIFICANCE).status(), "a tie keeps the serving version");
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(Double.POSITIVE_INFINITY, 2L, 0.30,
                new CandidateJudge.Improvement(Double.NEGATIVE_INFINITY, Double.NaN, 91), MIN_IMPROVEMENT, SIGNIFICANCE).status(),
                "a diverged candidate");
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(0.29, 2L, 0.30, UNMEASURED, MIN_IMPROVEMENT, SIGNIFICANCE).status(),
                "no paired figures (a candidate stored before they were measured): nothing proves it better");
    }

    /**
     * n serving losses around servingLoss (seeded scatter of 30%) and the candidate's, each better by improvement
     * plus or minus scatter in turn: for even n the differences' mean is improvement, their sd about scatter.
     */
    private static CandidateJudge.Improvement paired(int n, double servingLoss, double improvement, double scatter, long seed) {
        Random r = new Random(seed);
        double[] serving = new double[n];
        double[] candidate = new double[n];
        for (int i = 0; i < n; i++) {
            serving[i] = servingLoss * (1 + 0.3 * r.nextGaussian());
            candidate[i] = serving[i] - improvement - (i % 2 == 0 ? scatter : -scatter);
        }
        return CandidateJudge.Improvement.of(serving, candidate);
    }

    @Test
    void theHeldOutLossIsTheMeanOfThePerSequenceLossesTheTrainerMinimises() {
        List<float[][]> heldOut = randomSequences(6);
        try (AstroPTModel model = AstroPTModel.create(ModelConfig.of(1, 2, 32), AstroPTModel.defaultDevice(), 3)) {
            double[] losses = Evaluation.heldOutLosses(model, heldOut);
            assertEquals(12, losses.length);
            double trainers;
            Trainer.Settings s = new Trainer.Settings(4, 1, 1, LrSchedule.of(1e-3, 0, 1), 1.0, AdamW.Settings.ASTROPT, 0, 3);
            try (Trainer trainer = new Trainer(model, s)) {
                trainers = trainer.evaluate(heldOut);
            }
            assertEquals(trainers, Evaluation.mean(losses), 1e-5, "three full batches of four: the same mean Huber loss");
            assertTrue(losses[0] != losses[1], "one loss per sequence");
        }
    }

    @Test
    void theVersionFolderPublishesTheMeanAndStdOfTheCandidatesHeldOutEmbeddings(@TempDir Path dir) throws Exception {
        List<float[][]> heldOut = randomSequences(5);
        try (AstroPTModel model = AstroPTModel.create(ModelConfig.of(1, 2, 32), AstroPTModel.defaultDevice(), 3)) {
            CandidateJudge.writeEmbeddingStats(Evaluation.embed(model, heldOut.subList(0, 1)), new ModelFolder(dir.resolve("one")));
            assertTrue(new ModelFolder(dir.resolve("one")).embeddingStats().isEmpty(), "one sequence has no spread: no file");

            CandidateJudge.writeEmbeddingStats(Evaluation.embed(model, heldOut), new ModelFolder(dir.resolve("candidate")));
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

    /** Twelve sequences of 16 random 16 x 16 x 3 tokens. */
    private static List<float[][]> randomSequences(long seed) {
        Random r = new Random(seed);
        List<float[][]> out = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            float[][] tokens = new float[16][16 * 16 * 3];
            for (float[] t : tokens) for (int i = 0; i < t.length; i++) t[i] = (float) r.nextGaussian();
            out.add(tokens);
        }
        return out;
    }
}
