package org.astropt.stream.trainer.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.astropt.stream.core.heads.HeadFeatures;
import org.astropt.stream.core.heads.LogisticHead;
import org.astropt.stream.core.heads.NoveltyReference;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;

/**
 * Fits a model version's {@link ScoreHeads} from labelled token sequences: one logistic head for "any artefact"
 * and one per artefact kind with enough labelled positives, each with the flag threshold that reaches precision
 * {@value ScoreHeads#TARGET_PRECISION} on out-of-fold probabilities (the head that ships is then fitted on every
 * labelled sequence), and the novelty reference. Labels are what people give on the dashboard ({@code normal},
 * {@code interesting}, {@code artefact:<kind>}), or the synthetic survey's truth when a setting allows it
 * ({@link #labelsOf}).
 *
 * <pre>{@code
 * HeadFitter.Fitted f = HeadFitter.fit(model, examples, HeadFitter.Settings.DEFAULT);
 * f.heads().writeInto(folder.weights());      // before the version's sha256 is taken
 * }</pre>
 */
public final class HeadFitter {

    public static final String NORMAL = "normal", INTERESTING = "interesting", ARTEFACT_PREFIX = "artefact:";

    /**
     * @param folds           cross-validation folds for the thresholds
     * @param minPositives    a head needs this many labelled positives and as many negatives
     * @param referenceSize   at most this many embeddings in the novelty reference
     * @param neighbours      k of the novelty distance
     * @param anomalyQuantile novelty at or above which ANOMALY is raised
     * @param seed            folds and the reference's sample
     */
    public record Settings(int folds, int minPositives, int referenceSize, int neighbours, double anomalyQuantile, long seed) {
        public static final Settings DEFAULT = new Settings(5, 10, 2000, 10, ScoreHeads.DEFAULT_ANOMALY_QUANTILE, 17);
    }

    /** One sequence for fitting: its tokens, and its labels (empty when nobody labelled it: then it only joins the novelty reference). */
    public record Example(String id, float[][] tokens, Set<String> labels) {}

    /** The fitted heads, and what their out-of-fold probabilities reached, under {@code heads.<name>.*}. */
    public record Fitted(ScoreHeads heads, Map<String, Double> figures) {}

    private HeadFitter() {}

    /**
     * Labels from the synthetic survey's truth, as a person would give them: each artefact kind present, else
     * interesting for a novel object (a merger, ring or lens), else normal.
     */
    public static Set<String> labelsOf(GalaxyLabels truth) {
        Set<String> out = new LinkedHashSet<>();
        for (String kind : truth.artefacts()) out.add(ARTEFACT_PREFIX + kind.toLowerCase(Locale.ROOT));
        if (out.isEmpty()) out.add(truth.isNovel() ? INTERESTING : NORMAL);
        return out;
    }

    /** Embeds the examples with the model and fits heads on them; provenance describes the labels' source for the metadata. */
    public static Fitted fit(AstroPTModel model, List<Example> examples, Settings settings, Map<String, String> provenance) {
        List<Embedder.Result> results;
        try (Embedder embedder = new Embedder(model, Embedder.Settings.DEFAULT)) {
            results = embedder.embed(examples.stream().map(Example::tokens).toList());
        }
        return fit(examples, results, settings, provenance);
    }

    /** Fits heads on examples already embedded (results in the same order). */
    public static Fitted fit(List<Example> examples, List<Embedder.Result> results, Settings settings, Map<String, String> provenance) {
        int n = examples.size();
        Map<String, Double> figures = new LinkedHashMap<>();
        int[] labelled = IntStream.range(0, n).filter(i -> !examples.get(i).labels().isEmpty()
                && Float.isFinite(results.get(i).surprise())).toArray();
        figures.put("heads.labelled", (double) labelled.length);
        double[][] x = new double[n][];
        for (int i : labelled) x[i] = HeadFeatures.of(examples.get(i).tokens(), results.get(i));
        List<LogisticHead> heads = new ArrayList<>();
        for (String name : headNames(examples, labelled)) {
            String kind = name.equals(ScoreHeads.ARTEFACT) ? null : name.substring(ScoreHeads.ARTEFACT.length() + 1);
            int[] label = new int[n];
            java.util.Arrays.fill(label, -1);
            int positives = 0;
            for (int i : labelled) {
                Set<String> l = examples.get(i).labels();
                boolean pos = kind == null ? l.stream().anyMatch(s -> s.startsWith(ARTEFACT_PREFIX)) : l.contains(ARTEFACT_PREFIX + kind);
                label[i] = pos ? 1 : 0;
                if (pos) positives++;
            }
            if (positives < settings.minPositives() || labelled.length - positives < settings.minPositives()) continue;
            double[][] sub = new double[labelled.length][];
            int[] subLabel = new int[labelled.length];
            for (int r = 0; r < labelled.length; r++) {
                sub[r] = x[labelled[r]];
                subLabel[r] = label[labelled[r]];
            }
            int folds = Math.min(settings.folds(), Math.min(positives, labelled.length - positives));
            double[] oof = new double[labelled.length];
            boolean[] positive = new boolean[labelled.length];
            if (folds >= 2) {
                double[][] p = LogisticProbe.crossValidated(sub, subLabel, 2, CrossValidation.folds(labelled.length, folds, settings.seed()));
                for (int r = 0; r < oof.length; r++) {
                    oof[r] = p[r][1];
                    positive[r] = subLabel[r] == 1;
                }
            }
            RankingMetrics.Threshold t = folds >= 2 ? RankingMetrics.thresholdForPrecision(oof, positive, ScoreHeads.TARGET_PRECISION)
                    : new RankingMetrics.Threshold(Double.NaN, Double.NaN, 0);
            heads.add(LogisticProbe.head(name, sub, subLabel, Standardiser.all(labelled.length), t.value()));
            String key = "heads." + name + ".";
            figures.put(key + "positives", (double) positives);
            if (folds >= 2) figures.put(key + "auc_oof", RankingMetrics.rocAuc(oof, positive));
            if (!Double.isNaN(t.value())) {
                figures.put(key + "threshold", t.value());
                figures.put(key + "precision_oof", t.precision());
                figures.put(key + "recall_oof", t.recall());
            }
        }
        NoveltyReference reference = reference(examples, results, settings);
        if (reference != null) figures.put("heads.novelty_reference", (double) reference.reference().length);
        return new Fitted(new ScoreHeads(heads, reference, settings.anomalyQuantile(), provenance), figures);
    }

    /** "artefact", then artefact_<kind> for each kind some labelled example carries, in first-seen order. */
    private static List<String> headNames(List<Example> examples, int[] labelled) {
        Set<String> kinds = new LinkedHashSet<>();
        for (int i : labelled) {
            for (String l : examples.get(i).labels()) if (l.startsWith(ARTEFACT_PREFIX)) kinds.add(l.substring(ARTEFACT_PREFIX.length()));
        }
        List<String> names = new ArrayList<>(List.of(ScoreHeads.ARTEFACT));
        kinds.stream().sorted().forEach(k -> names.add(ScoreHeads.ARTEFACT + "_" + k));
        return names;
    }

    /**
     * The novelty reference: every finite embedding but those labelled interesting, sampled down to referenceSize;
     * calibrated on those labelled normal when there are at least {@link #MIN_CALIBRATION} of them in it (novelty
     * 0.99: rarer than 99 % of normal objects), else on all of it.
     */
    private static NoveltyReference reference(List<Example> examples, List<Embedder.Result> results, Settings settings) {
        List<Integer> pool = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            boolean finite = true;
            for (float v : HeadFeatures.noveltyVector(results.get(i))) finite &= Float.isFinite(v);
            if (finite && !examples.get(i).labels().contains(INTERESTING)) pool.add(i);
        }
        if (pool.size() <= settings.neighbours() + 1) return null;
        SplittableRandom random = new SplittableRandom(settings.seed());
        for (int i = pool.size() - 1; i > 0; i--) java.util.Collections.swap(pool, i, random.nextInt(i + 1));
        List<Integer> kept = pool.subList(0, Math.min(pool.size(), settings.referenceSize()));
        float[][] vectors = kept.stream().map(i -> HeadFeatures.noveltyVector(results.get(i))).toArray(float[][]::new);
        boolean[] normal = new boolean[kept.size()];
        int normals = 0;
        for (int r = 0; r < normal.length; r++) if (normal[r] = examples.get(kept.get(r)).labels().contains(NORMAL)) normals++;
        if (normals < MIN_CALIBRATION) java.util.Arrays.fill(normal, true);
        return NoveltyReference.of(vectors, settings.neighbours(), normal);
    }

    /** Fewest objects labelled normal that calibrate the novelty on their own. */
    static final int MIN_CALIBRATION = 100;
}
