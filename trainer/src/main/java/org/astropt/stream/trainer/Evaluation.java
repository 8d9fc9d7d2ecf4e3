package org.astropt.stream.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.schemas.TokenSequence;
import org.astropt.stream.trainer.evaluation.CrossValidation;
import org.astropt.stream.trainer.evaluation.GalaxyLabels;
import org.astropt.stream.trainer.evaluation.ModelEvaluation;

/**
 * A model measured on the held-out sample: its next-patch Huber loss and, on the sequences whose metadata
 * carries the synthetic survey's truth, the figures of {@link ModelEvaluation} (the ones
 * {@code astropt evaluate} prints), under their eval.* keys.
 */
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

    /**
     * The eval.* figures on the sample's sequences with truth, folds drawn from seed (the same for every
     * version, so versions are compared on the same folds); only eval.objects when too few carry truth.
     */
    static Map<String, Double> figures(AstroPTModel model, List<TokenSequence> sample, long seed) {
        List<ModelEvaluation.LabelledCutout> labelled = new ArrayList<>();
        for (TokenSequence s : sample) {
            Optional<GalaxyLabels> labels = GalaxyLabels.fromMetadata(s.getProvenance().getMetadata());
            labels.ifPresent(l -> labelled.add(new ModelEvaluation.LabelledCutout(s.getId(), TokenSequences.tokens(s), l)));
        }
        return ModelEvaluation.evaluate(model, labelled, CrossValidation.DEFAULT_FOLDS, seed);
    }
}
