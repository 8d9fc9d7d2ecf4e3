package org.astropt.stream.app;

import java.util.Locale;
import java.util.Map;
import org.astropt.stream.trainer.evaluation.GalaxyLabels;
import org.astropt.stream.trainer.evaluation.ModelEvaluation;

/** {@code astropt evaluate}'s readable output: the figures of {@link ModelEvaluation}, embedding beside pixel PCA. */
final class EvaluationTable {

    private EvaluationTable() {}

    static String render(Map<String, Double> f) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s cutouts, %s-fold cross-validation, %s dimensions%n",
                n(f, "eval.objects", 0), n(f, "eval.folds", 0), n(f, "eval.dim", 0)));
        if (!f.containsKey("eval.dim")) return s.append("too few labelled cutouts to evaluate\n").toString();
        s.append(String.format(Locale.ROOT, "%n%-28s %10s %10s%n", "", "embedding", "pixel PCA"));
        for (String q : GalaxyLabels.QUANTITIES) row(s, "probe R^2 " + q, f, "probe_r2." + q);
        row(s, "morphology accuracy", f, "morphology_accuracy");
        s.append(String.format(Locale.ROOT, "%-28s %10s%n", "  (majority class)", n(f, "eval.morphology_majority", 3)));
        row(s, "kNN purity@10", f, "knn_purity10");
        s.append(String.format(Locale.ROOT, "%-28s %10s%n", "  (chance)", n(f, "eval.knn_purity10_chance", 3)));
        s.append(String.format(Locale.ROOT, "%nartefacts: ROC AUC / precision at recall 0.8 (head: the version's own heads, as shipped;"
                + " probe: cross-validated on the embedding; tokstats: on the token statistics alone)%n%-19s %5s %13s %13s %13s %13s %6s %13s%n",
                "kind", "pos", "surprise", "probe", "PCA probe", "head", "tokst", "flags P / R"));
        for (String kind : ModelEvaluation.ARTEFACT_NAMES) {
            if (!f.containsKey("eval.positives." + kind)) continue;
            s.append(String.format(Locale.ROOT, "%-19s %5s %13s %13s %13s %13s %6s %13s%n", kind, n(f, "eval.positives." + kind, 0),
                    pair(f, "eval.", kind, "surprise"), pair(f, "eval.", kind, "probe"), pair(f, "eval.pca.", kind, "probe"),
                    pair(f, "eval.", kind, "head"), n(f, "eval.auc." + kind + ".tokstats", 3),
                    n(f, "eval.flag_precision." + kind, 2) + " / " + n(f, "eval.flag_recall." + kind, 2)));
        }
        if (f.containsKey("eval.positives.novel")) {
            s.append(String.format(Locale.ROOT, "%nnovel objects (mergers, rings, lensed arcs; never trained on): %s against ordinary galaxies"
                    + " without artefacts%n%-28s %10s %10s %10s%n", n(f, "eval.positives.novel", 0), "ROC AUC", "novelty", "surprise", "brightness"));
            s.append(String.format(Locale.ROOT, "%-28s %10s %10s %10s%n", "  all ordinary", n(f, "eval.auc.novel.novelty", 3),
                    n(f, "eval.auc.novel.surprise", 3), n(f, "eval.auc.novel.brightness", 3)));
            s.append(String.format(Locale.ROOT, "%-28s %10s %10s %10s%n", "  ordinary with r < 19.5", n(f, "eval.auc.novel_bright.novelty", 3),
                    "", n(f, "eval.auc.novel_bright.brightness", 3)));
            s.append(String.format(Locale.ROOT, "ANOMALY flags: precision %s, recall %s (at quantile 0.90 / 0.95 / 0.98 / 0.99: %s)%n",
                    n(f, "eval.anomaly_precision", 2), n(f, "eval.anomaly_recall", 2),
                    String.join(" / ", java.util.stream.Stream.of("q90", "q95", "q98", "q99").map(q -> n(f, "eval.anomaly_precision." + q, 2)
                            + " " + n(f, "eval.anomaly_recall." + q, 2)).toList())));
        }
        s.append(String.format(Locale.ROOT, "%n(%s s)%n", n(f, "eval.seconds", 1)));
        return s.toString();
    }

    private static void row(StringBuilder s, String name, Map<String, Double> f, String key) {
        s.append(String.format(Locale.ROOT, "%-28s %10s %10s%n", name, n(f, "eval." + key, 3), n(f, "eval.pca." + key, 3)));
    }

    private static String pair(Map<String, Double> f, String prefix, String kind, String score) {
        return n(f, prefix + "auc." + kind + "." + score, 3) + " / " + n(f, prefix + "precision_at_recall80." + kind + "." + score, 2);
    }

    private static String n(Map<String, Double> f, String key, int decimals) {
        Double v = f.get(key);
        return v == null ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
