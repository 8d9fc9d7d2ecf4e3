package org.astropt.stream.trainer.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.astropt.stream.core.heads.HeadFeatures;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.sim.ArtefactKind;
import org.astropt.stream.core.sim.Morphology;

/**
 * What a model version's embeddings are good for, measured on held-out cutouts with truth, beside a
 * pixel-PCA baseline of the same width from the same cutouts; one flat map of figures, the keys that
 * metrics.json, the ModelVersion record, /models and {@code astropt evaluate --json} all carry:
 * <ul>
 *   <li>{@code eval.probe_r2.<quantity>}: cross-validated ridge R^2 ({@link RidgeProbe}) of each of
 *       {@link GalaxyLabels#QUANTITIES};</li>
 *   <li>{@code eval.morphology_accuracy}: cross-validated multinomial logistic probe ({@link LogisticProbe});</li>
 *   <li>{@code eval.knn_purity10}: {@link NeighbourPurity} of morphology at k = 10;</li>
 *   <li>{@code eval.auc.<kind>.<score>} and {@code eval.precision_at_recall80.<kind>.<score>}
 *       ({@link RankingMetrics}) for kind {@code any} and each artefact kind with enough positives, score
 *       {@code surprise} (the model's per-cutout mean Huber error) or {@code probe} (a cross-validated
 *       logistic probe of that kind on the features);</li>
 *   <li>the same under {@code eval.pca.} for the baseline's features (no surprise there), and the context:
 *       {@code eval.objects}, {@code eval.dim}, {@code eval.folds}, {@code eval.morphology_majority},
 *       {@code eval.knn_purity10_chance}, {@code eval.positives.<kind>}, {@code eval.seconds}.</li>
 * </ul>
 * Figures that cannot be measured (too few objects, a kind without positives) are left out, never faked.
 *
 * <p>Novel objects ({@link GalaxyLabels#isNovel()}: the mergers, rings and lenses {@code astropt evaluate
 * --novel-fraction} mixes in) are left out of all these figures, eval.objects included: they have no
 * ordinary morphology or structure to probe, and leaving them out keeps every figure the same measure on the
 * same ordinary galaxies whatever the novel fraction. They are there for judging novelty.
 */
public final class ModelEvaluation {

    /** Anomaly quantiles whose flags' precision and recall an evaluation also reports. */
    static final double[] ANOMALY_QUANTILES = {0.9, 0.95, 0.98, 0.99};

    /** Neighbours per object for the purity. */
    public static final int NEIGHBOURS = 10;
    /** The recall at which precision is reported. */
    public static final double RECALL = 0.8;
    /** A kind needs this many positives (and negatives) for its AUC: fewer would be mostly noise. */
    public static final int MIN_POSITIVES = 5;
    /** Fewer labelled cutouts than this and only eval.objects is reported. */
    public static final int MIN_OBJECTS = RidgeProbe.MIN_OBJECTS;

    /** The names artefact figures use: "any", then each kind in lower case. */
    public static final List<String> ARTEFACT_NAMES;

    static {
        List<String> names = new ArrayList<>(List.of("any"));
        for (ArtefactKind k : ArtefactKind.values()) names.add(k.name().toLowerCase(Locale.ROOT));
        ARTEFACT_NAMES = List.copyOf(names);
    }

    /** One labelled cutout: its tokens [T][D] as the model reads them, and its truth. */
    public record LabelledCutout(String id, float[][] tokens, GalaxyLabels labels) {}

    private ModelEvaluation() {}

    /**
     * Measures the model on the cutouts of the most common token shape it can read (the others are left out:
     * PCA needs one shape). Folds are drawn from seed.
     */
    public static Map<String, Double> evaluate(AstroPTModel model, List<LabelledCutout> cutouts, int folds, long seed) {
        return evaluate(model, ScoreHeads.NONE, cutouts, folds, seed);
    }

    /**
     * As {@link #evaluate(AstroPTModel, List, int, long)}, and the version's shipped score heads applied as they
     * are (fitted on other data: no cross-validation): {@code eval.auc.<kind>.head}, and for a head with a flag
     * threshold {@code eval.flag_precision.<kind>} and {@code eval.flag_recall.<kind>}; beside them
     * {@code eval.auc.<kind>.tokstats}, a cross-validated probe on the heads' token statistics alone (no model).
     */
    public static Map<String, Double> evaluate(AstroPTModel model, ScoreHeads heads, List<LabelledCutout> cutouts, int folds, long seed) {
        long started = System.nanoTime();
        List<LabelledCutout> sample = commonShape(model, ordinary(cutouts));
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval.objects", (double) sample.size());
        if (sample.size() < Math.max(MIN_OBJECTS, folds)) return out;
        int n = sample.size();
        double[][] embedding = new double[n][];
        double[] surprise = new double[n];
        List<Embedder.Result> results;
        String shape = sample.get(0).tokens().length + "x" + sample.get(0).tokens()[0].length;
        List<LabelledCutout> novel = cutouts.stream().filter(c -> c.labels().isNovel()
                && (c.tokens().length + "x" + c.tokens()[0].length).equals(shape)).toList();
        List<Embedder.Result> novelResults;
        try (Embedder embedder = new Embedder(model, Embedder.Settings.DEFAULT)) {
            results = embedder.embed(sample.stream().map(LabelledCutout::tokens).toList());
            novelResults = novel.isEmpty() ? List.of() : embedder.embed(novel.stream().map(LabelledCutout::tokens).toList());
            for (int i = 0; i < n; i++) {
                embedding[i] = toDouble(results.get(i).embedding());
                surprise[i] = results.get(i).surprise();
            }
        }
        int dim = embedding[0].length;
        double[][] pca = PixelPca.scores(sample.stream().map(c -> flatten(c.tokens())).toArray(double[][]::new), dim);
        int[] fold = CrossValidation.folds(n, folds, seed);
        int[] morphology = sample.stream().mapToInt(c -> morphologyIndex(c.labels().morphology())).toArray();
        Map<String, boolean[]> artefacts = artefactTruth(sample);

        out.put("eval.dim", (double) dim);
        out.put("eval.folds", (double) folds);
        out.put("eval.morphology_majority", majorityShare(morphology));
        out.put("eval.knn_purity10_chance", NeighbourPurity.chance(morphology));
        artefacts.forEach((name, positive) -> out.put("eval.positives." + name, (double) count(positive)));
        probes(out, "eval.", embedding, sample, fold, morphology, artefacts);
        probes(out, "eval.pca.", pca, sample, fold, morphology, artefacts);
        artefacts.forEach((name, positive) -> {
            putFinite(out, "eval.auc." + name + ".surprise", RankingMetrics.rocAuc(surprise, positive));
            putFinite(out, "eval.precision_at_recall80." + name + ".surprise", RankingMetrics.precisionAtRecall(surprise, positive, RECALL));
        });
        List<ScoreHeads.Scored> scored = new ArrayList<>(n); // once each: the heads' figures and the novelty read them
        for (int i = 0; i < n; i++) scored.add(heads.score(sample.get(i).tokens(), results.get(i)));
        shippedHeads(out, heads, sample, scored, fold, artefacts);
        novelty(out, heads, sample, scored, novel, novelResults);
        out.put("eval.seconds", (System.nanoTime() - started) / 1e9);
        return sortedFigures(out);
    }

    /** Every probe on one set of features, keys under prefix. */
    private static void probes(Map<String, Double> out, String prefix, double[][] x, List<LabelledCutout> sample, int[] fold,
                               int[] morphology, Map<String, boolean[]> artefacts) {
        for (String q : GalaxyLabels.QUANTITIES) {
            double[] y = sample.stream().mapToDouble(c -> c.labels().quantities().getOrDefault(q, Double.NaN)).toArray();
            putFinite(out, prefix + "probe_r2." + q, RidgeProbe.crossValidatedR2(x, y, fold));
        }
        int classes = Morphology.values().length;
        putFinite(out, prefix + "morphology_accuracy",
                LogisticProbe.accuracy(LogisticProbe.crossValidated(x, morphology, classes, fold), morphology));
        putFinite(out, prefix + "knn_purity10", NeighbourPurity.purity(x, morphology, NEIGHBOURS));
        artefacts.forEach((name, positive) -> {
            int[] label = new int[positive.length];
            for (int i = 0; i < label.length; i++) label[i] = positive[i] ? 1 : 0;
            double[][] p = LogisticProbe.crossValidated(x, label, 2, fold);
            double[] score = new double[p.length];
            for (int i = 0; i < p.length; i++) score[i] = p[i][1];
            putFinite(out, prefix + "auc." + name + ".probe", RankingMetrics.rocAuc(score, positive));
            putFinite(out, prefix + "precision_at_recall80." + name + ".probe", RankingMetrics.precisionAtRecall(score, positive, RECALL));
        });
    }

    /** The figures of the version's own heads, and of the token-statistics baseline. */
    private static void shippedHeads(Map<String, Double> out, ScoreHeads heads, List<LabelledCutout> sample, List<ScoreHeads.Scored> scored,
                                     int[] fold, Map<String, boolean[]> artefacts) {
        int n = sample.size();
        double[][] tokenStats = new double[n][];
        for (int i = 0; i < n; i++) tokenStats[i] = HeadFeatures.tokens(sample.get(i).tokens());
        artefacts.forEach((name, positive) -> {
            int[] label = new int[n];
            for (int i = 0; i < n; i++) label[i] = positive[i] ? 1 : 0;
            double[][] p = LogisticProbe.crossValidated(tokenStats, label, 2, fold);
            double[] score = new double[n];
            for (int i = 0; i < n; i++) score[i] = p[i][1];
            putFinite(out, "eval.auc." + name + ".tokstats", RankingMetrics.rocAuc(score, positive));
            String head = name.equals("any") ? ScoreHeads.ARTEFACT : ScoreHeads.ARTEFACT + "_" + name;
            heads.head(head).ifPresent(h -> {
                double[] q = scored.stream().mapToDouble(s -> s.scores().get(head)).toArray();
                putFinite(out, "eval.auc." + name + ".head", RankingMetrics.rocAuc(q, positive));
                putFinite(out, "eval.precision_at_recall80." + name + ".head", RankingMetrics.precisionAtRecall(q, positive, RECALL));
                if (Double.isNaN(h.threshold())) return;
                int tp = 0, flagged = 0, total = 0;
                for (int i = 0; i < n; i++) {
                    boolean f = h.flags(q[i]);
                    if (f) flagged++;
                    if (positive[i]) total++;
                    if (f && positive[i]) tp++;
                }
                putFinite(out, "eval.flag_precision." + name, flagged == 0 ? Double.NaN : (double) tp / flagged);
                putFinite(out, "eval.flag_recall." + name, total == 0 ? Double.NaN : (double) tp / total);
            });
        });
    }

    /**
     * How the version's novelty ranks objects it never trained on (mergers, rings, lensed arcs) above ordinary
     * galaxies without artefacts: {@code eval.auc.novel.<score>} for novelty, surprise and, as a baseline that
     * needs no model, brightness (-mag_r: the novel systems are bright ones); {@code eval.auc.novel_bright.novelty}
     * against ordinary galaxies as bright as the novel ones (r < 19.5); and the ANOMALY flags' precision and
     * recall for novel objects among every evaluated cutout ({@code eval.anomaly_precision}, {@code eval.anomaly_recall}).
     */
    private static void novelty(Map<String, Double> out, ScoreHeads heads, List<LabelledCutout> sample, List<ScoreHeads.Scored> scored,
                                List<LabelledCutout> novel, List<Embedder.Result> novelResults) {
        if (novel.size() < MIN_POSITIVES) return;
        out.put("eval.positives.novel", (double) novel.size());
        List<double[]> rows = new ArrayList<>(); // novelty, surprise, brightness, novel?, bright?, anomaly flag?, clean?, explained?
        for (int i = 0; i < sample.size() + novel.size(); i++) {
            boolean isNovel = i >= sample.size();
            LabelledCutout c = isNovel ? novel.get(i - sample.size()) : sample.get(i);
            ScoreHeads.Scored s = isNovel ? heads.score(c.tokens(), novelResults.get(i - sample.size())) : scored.get(i);
            double mag = c.labels().quantities().getOrDefault("mag_r", Double.NaN);
            boolean anomaly = s.flags().stream().anyMatch(f -> f.flagKind().equals("ANOMALY"));
            boolean explained = ScoreHeads.explainedByArtefact(s.flags(), s.scores().getOrDefault(ScoreHeads.ARTEFACT, Double.NaN));
            rows.add(new double[] {s.scores().getOrDefault(ScoreHeads.NOVELTY, Double.NaN), s.scores().get(ScoreHeads.SURPRISE), -mag, isNovel ? 1 : 0,
                    mag < 19.5 ? 1 : 0, anomaly ? 1 : 0, c.labels().artefacts().isEmpty() ? 1 : 0, explained ? 1 : 0});
        }
        List<double[]> clean = rows.stream().filter(r -> r[3] == 1 || r[6] == 1).toList();
        boolean[] positive = new boolean[clean.size()];
        for (int i = 0; i < positive.length; i++) positive[i] = clean.get(i)[3] == 1;
        String[] names = {ScoreHeads.NOVELTY, ScoreHeads.SURPRISE, "brightness"};
        for (int k = 0; k < names.length; k++) {
            int col = k;
            putFinite(out, "eval.auc.novel." + names[k], RankingMetrics.rocAuc(clean.stream().mapToDouble(r -> r[col]).toArray(), positive));
        }
        List<double[]> bright = clean.stream().filter(r -> r[3] == 1 || r[4] == 1).toList();
        boolean[] brightPositive = new boolean[bright.size()];
        for (int i = 0; i < brightPositive.length; i++) brightPositive[i] = bright.get(i)[3] == 1;
        putFinite(out, "eval.auc.novel_bright.novelty", RankingMetrics.rocAuc(bright.stream().mapToDouble(r -> r[0]).toArray(), brightPositive));
        putFinite(out, "eval.auc.novel_bright.brightness", RankingMetrics.rocAuc(bright.stream().mapToDouble(r -> r[2]).toArray(), brightPositive));
        if (heads.novelty().isEmpty()) return;
        long flagged = rows.stream().filter(r -> r[5] == 1).count();
        long hits = rows.stream().filter(r -> r[5] == 1 && r[3] == 1).count();
        putFinite(out, "eval.anomaly_precision", flagged == 0 ? Double.NaN : (double) hits / flagged);
        putFinite(out, "eval.anomaly_recall", (double) hits / novel.size());
        for (double q : ANOMALY_QUANTILES) { // what another anomaly quantile would give, the same rule otherwise
            long f = rows.stream().filter(r -> r[0] >= q && r[7] == 0).count();
            long h = rows.stream().filter(r -> r[0] >= q && r[7] == 0 && r[3] == 1).count();
            String key = String.format(java.util.Locale.ROOT, "q%02d", Math.round(q * 100));
            putFinite(out, "eval.anomaly_precision." + key, f == 0 ? Double.NaN : (double) h / f);
            putFinite(out, "eval.anomaly_recall." + key, (double) h / novel.size());
        }
    }

    /** Positives per artefact name, for names with at least MIN_POSITIVES positives and negatives. */
    private static Map<String, boolean[]> artefactTruth(List<LabelledCutout> sample) {
        Map<String, boolean[]> out = new LinkedHashMap<>();
        for (String name : ARTEFACT_NAMES) {
            boolean[] positive = new boolean[sample.size()];
            for (int i = 0; i < positive.length; i++) {
                var kinds = sample.get(i).labels().artefacts();
                positive[i] = name.equals("any") ? !kinds.isEmpty() : kinds.contains(name.toUpperCase(Locale.ROOT));
            }
            int pos = count(positive);
            if (pos >= MIN_POSITIVES && positive.length - pos >= MIN_POSITIVES) out.put(name, positive);
        }
        return out;
    }

    /** The ordinary galaxies among the cutouts: the novel objects left out. */
    public static List<LabelledCutout> ordinary(List<LabelledCutout> cutouts) {
        return cutouts.stream().filter(c -> !c.labels().isNovel()).toList();
    }

    /** The cutouts the model reads whose [T][D] shape is the most common one. */
    static List<LabelledCutout> commonShape(AstroPTModel model, List<LabelledCutout> cutouts) {
        Function<LabelledCutout, String> shape = c -> c.tokens().length + "x" + c.tokens()[0].length;
        Map<String, Long> counts = new TreeMap<>();
        for (LabelledCutout c : cutouts) {
            if (c.tokens().length >= 2 && c.tokens().length <= model.config().blockSize()
                    && c.tokens()[0].length == model.config().tokenDim()) counts.merge(shape.apply(c), 1L, Long::sum);
        }
        String common = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        return cutouts.stream().filter(c -> common != null && c.tokens()[0].length == model.config().tokenDim()
                && shape.apply(c).equals(common)).toList();
    }

    static int morphologyIndex(String name) {
        for (Morphology m : Morphology.values()) if (m.name().equals(name)) return m.ordinal();
        return -1;
    }

    private static double majorityShare(int[] label) {
        int[] counts = new int[Morphology.values().length];
        int n = 0;
        for (int l : label) if (l >= 0) { counts[l]++; n++; }
        return n == 0 ? Double.NaN : (double) java.util.Arrays.stream(counts).max().orElse(0) / n;
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean v : b) if (v) c++;
        return c;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private static double[] flatten(float[][] tokens) {
        double[] d = new double[tokens.length * tokens[0].length];
        int k = 0;
        for (float[] t : tokens) for (float v : t) d[k++] = Float.isFinite(v) ? v : 0;
        return d;
    }

    private static void putFinite(Map<String, Double> out, String key, double v) {
        if (Double.isFinite(v)) out.put(key, v);
    }

    /** Context first, then the embedding's figures, then the baseline's. */
    private static Map<String, Double> sortedFigures(Map<String, Double> in) {
        Map<String, Double> out = new LinkedHashMap<>();
        in.forEach((k, v) -> { if (!k.startsWith("eval.pca.")) out.put(k, v); });
        in.forEach((k, v) -> { if (k.startsWith("eval.pca.")) out.put(k, v); });
        return out;
    }
}
