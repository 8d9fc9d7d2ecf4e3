package org.astropt.stream.trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.schemas.TokenSequence;
import org.astropt.stream.trainer.evaluation.CrossValidation;
import org.astropt.stream.trainer.evaluation.GalaxyLabels;
import org.astropt.stream.trainer.evaluation.ModelEvaluation;

/**
 * A model measured on the held-out sample: its next-patch Huber loss per sequence and, on the sequences whose metadata
 * carries the synthetic survey's truth, the figures of {@link ModelEvaluation} (the ones
 * {@code astropt evaluate} prints), under their eval.* keys.
 */
final class Evaluation {

    private Evaluation() {}

    /**
     * The next-patch Huber loss of each sequence (2 to blockSize tokens), in order: the mean Huber error of
     * predicting tokens 1..T-1 from 0..T-2, which is the surprise score the pipeline's Embedder computes.
     * The held-out loss is their mean; the promotion compares two models' losses sequence by sequence.
     */
    static double[] heldOutLosses(AstroPTModel model, List<float[][]> sequences) {
        return losses(embed(model, sequences));
    }

    /** The model's embedding and surprise of each sequence, in order: one forward pass serves the losses and the statistics. */
    static List<Embedder.Result> embed(AstroPTModel model, List<float[][]> sequences) {
        try (Embedder embedder = new Embedder(model, Embedder.Settings.DEFAULT)) {
            return embedder.embed(sequences);
        }
    }

    /** The per-sequence losses of {@link #heldOutLosses}, from results already computed. */
    static double[] losses(List<Embedder.Result> results) {
        return results.stream().mapToDouble(Embedder.Result::surprise).toArray();
    }

    /** The mean of per-sequence losses; NaN for none. */
    static double mean(double[] losses) {
        return losses.length == 0 ? Double.NaN : Arrays.stream(losses).sum() / losses.length;
    }

    /**
     * The eval.* figures on the sample's sequences with truth, folds drawn from seed (the same for every
     * version, so versions are compared on the same folds); only eval.objects when too few carry truth.
     */
    static Map<String, Double> figures(AstroPTModel model, List<TokenSequence> sample, long seed) {
        return figures(model, org.astropt.stream.core.heads.ScoreHeads.NONE, sample, seed);
    }

    /** As {@link #figures(AstroPTModel, List, long)}, with the version's score heads judged too (eval.*.head, flags, novelty). */
    static Map<String, Double> figures(AstroPTModel model, org.astropt.stream.core.heads.ScoreHeads heads, List<TokenSequence> sample, long seed) {
        List<ModelEvaluation.LabelledCutout> labelled = new ArrayList<>();
        for (TokenSequence s : sample) {
            Optional<GalaxyLabels> labels = GalaxyLabels.fromMetadata(s.getProvenance().getMetadata());
            labels.ifPresent(l -> labelled.add(new ModelEvaluation.LabelledCutout(s.getId(), TokenSequences.tokens(s), l)));
        }
        return ModelEvaluation.evaluate(model, heads, labelled, CrossValidation.DEFAULT_FOLDS, seed);
    }
}
