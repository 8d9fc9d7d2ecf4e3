package org.astropt.stream.trainer.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.astropt.stream.core.heads.LogisticHead;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.ModelConfig;
import org.junit.jupiter.api.Test;

class HeadFitterTest {

    private static final ModelConfig TINY = new ModelConfig(1, 2, 16, 1, 32, 4, false, 0.0);

    /** Noise tokens; a "nan_block" has a constant run in one token, as blank pixels leave after normalisation. */
    private static float[][] cutout(SplittableRandom r, boolean blank) {
        float[][] t = new float[5][TINY.tokenDim()];
        for (float[] row : t) for (int j = 0; j < row.length; j++) row[j] = (float) r.nextGaussian();
        if (blank) for (int j = 0; j < 6; j++) t[1 + r.nextInt(4)][j] = -0.4f;
        return t;
    }

    @Test
    void headsSeparateWhatTheLabelsSeparateAndFlagAtThePromisedPrecision() {
        SplittableRandom r = new SplittableRandom(5);
        List<HeadFitter.Example> examples = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            boolean blank = i % 3 == 0;
            Set<String> labels = i >= 240 ? Set.of() : blank ? Set.of("artefact:nan_block") : Set.of(i % 7 == 1 ? "interesting" : "normal");
            if (i == 4) labels = Set.of("artefact:cosmic_ray"); // one positive: too few for a head of its own
            examples.add(new HeadFitter.Example("o" + i, cutout(r, blank), labels));
        }
        HeadFitter.Fitted f;
        try (AstroPTModel model = AstroPTModel.create(TINY, Device.cpu(), 3)) {
            f = HeadFitter.fit(model, examples, HeadFitter.Settings.DEFAULT, Map.of("labels", "test"));
        }
        List<String> names = f.heads().heads().stream().map(LogisticHead::name).toList();
        assertEquals(List.of("artefact", "artefact_nan_block"), names, "no head for a kind with one positive");
        assertEquals(240.0, f.figures().get("heads.labelled"));
        assertTrue(f.figures().get("heads.artefact_nan_block.auc_oof") > 0.95, f.figures().toString());
        assertTrue(f.figures().get("heads.artefact_nan_block.precision_oof") >= ScoreHeads.TARGET_PRECISION, f.figures().toString());
        long interesting = examples.stream().filter(e -> e.labels().contains("interesting")).count();
        assertEquals(300 - interesting, f.heads().novelty().orElseThrow().reference().length,
                "objects people called interesting stay out of the novelty reference");
        long normal = examples.stream().filter(e -> e.labels().contains("normal")).count();
        assertEquals(normal, f.heads().novelty().orElseThrow().calibration().length,
                "novelty is calibrated on the objects people called normal: 0.99 means rarer than 99 % of them");
    }

    @Test
    void thresholdKeepsAConfidentPrecision() {
        // 100 objects ranked by score: 9 of the top 10 positive, then mixed
        double[] score = new double[100];
        boolean[] positive = new boolean[100];
        for (int i = 0; i < 100; i++) {
            score[i] = 100 - i;
            positive[i] = i < 10 ? i != 5 : i % 2 == 0;
        }
        RankingMetrics.Threshold t = RankingMetrics.thresholdForPrecision(score, positive, 0.9);
        assertTrue(Double.isNaN(t.value()), "0.9 measured on 10 flags is not a confident 0.9: " + t);
        for (int i = 10; i < 100; i++) positive[i] = i < 80; // 69 more positives in a row: 79 of 80 at the top
        t = RankingMetrics.thresholdForPrecision(score, positive, 0.9);
        // flagging down to score 19 flags 82 objects, 79 positive: Wilson lower bound 0.912; one more (83) gives 0.897
        assertEquals(19.0, t.value(), 1e-9, "the lowest threshold whose flags are confidently 90 % positive: " + t);
        assertEquals(79.0 / 82, t.precision(), 1e-9);
    }
}
