package org.astropt.stream.trainer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.schemas.TokenSequence;

/** A model measured on the held-out sample: its next-patch Huber loss and, where labels exist, linear-probe R^2. */
final class Evaluation {

    private Evaluation() {}

    /** Mean Huber loss over every batch of the sample (all of it, whatever its size). */
    static double heldOutLoss(AstroPTModel model, List<float[][]> sequences, int batchSize) {
        int batches = sequences.size() / batchSize + 64; // a partial batch per sequence length at most
        Trainer.Settings s = new Trainer.Settings(batchSize, 1, 1, LrSchedule.of(1e-3, 0, 1), 1.0, AdamW.Settings.ASTROPT, 0, batches);
        try (Trainer evaluator = new Trainer(model, s)) {
            return evaluator.evaluate(sequences);
        }
    }

    /** R^2 per label present on at least LinearProbe.MIN_OBJECTS sequences, from the last block's mean embedding. */
    static Map<String, Double> probes(AstroPTModel model, List<TokenSequence> sample, List<String> labels) {
        Map<String, Double> out = new LinkedHashMap<>();
        Map<String, double[]> y = HeldOutSet.labels(sample, labels);
        if (y.values().stream().noneMatch(v -> java.util.Arrays.stream(v).filter(Double::isFinite).count() >= LinearProbe.MIN_OBJECTS)) {
            return out;
        }
        float[][] x;
        try (Embedder embedder = new Embedder(model, Embedder.Settings.DEFAULT)) {
            List<Embedder.Result> results = embedder.embed(sample.stream().map(TokenSequences::tokens).toList());
            x = results.stream().map(Embedder.Result::embedding).toArray(float[][]::new);
        }
        for (String label : labels) {
            double r2 = LinearProbe.r2(x, y.get(label));
            if (Double.isFinite(r2)) out.put(label, r2);
        }
        return out;
    }
}
