package org.astropt.stream.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.astropt.stream.core.heads.HeadFeatures;
import org.astropt.stream.core.heads.LogisticHead;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.sim.AlertKind;
import org.astropt.stream.core.sim.AlertTruthCatalogue;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.trainer.evaluation.HeadFitter;
import org.astropt.stream.trainer.evaluation.LogisticProbe;
import org.astropt.stream.trainer.evaluation.RankingMetrics;

/**
 * Bogus against real on a labelled folder of alerts ({@code astropt simulate-alerts} writes one, with truth.csv):
 * the ROC AUC of a version's {@code artefact} probability, its ARTEFACT flags' precision and recall, the share
 * flagged per bogus kind and of the real alerts, beside two judges that need no model: the surprise score alone,
 * and a logistic probe on the heads' token statistics (out of fold). {@code astropt evaluate --alerts} and
 * {@code astropt heads --judge-on} print it.
 */
final class AlertJudgement {

    /** Folds of the token-statistics probe's out-of-fold probabilities. */
    private static final int FOLDS = 5;

    /**
     * @param flaggedByKind the share flagged ARTEFACT per label (artefact:&lt;kind&gt;, and normal: the real alerts' false flags)
     */
    record Figures(int alerts, int bogus, double auc, int flagged, double precision, double recall,
                   Map<String, Double> flaggedByKind, double surpriseAuc, double tokenStatisticsAuc) {

        /** The figures under {@code alerts.*} keys, for --json. */
        Map<String, Double> asMap() {
            Map<String, Double> m = new java.util.LinkedHashMap<>();
            m.put("alerts.count", (double) alerts);
            m.put("alerts.bogus", (double) bogus);
            m.put("alerts.bogus_auc.head", auc);
            m.put("alerts.flag_precision", precision);
            m.put("alerts.flag_recall", recall);
            m.put("alerts.bogus_auc.surprise", surpriseAuc);
            m.put("alerts.bogus_auc.token_statistics", tokenStatisticsAuc);
            flaggedByKind.forEach((k, v) -> m.put("alerts.flagged." + k, v));
            return m;
        }

        void print(PrintWriter out, String source) {
            out.printf(Locale.ROOT, "judged on %s: %d alerts (%d bogus): bogus-vs-real ROC AUC %.3f; ARTEFACT flags precision %s, recall %.3f%n",
                    source, alerts, bogus, auc, flagged == 0 ? "none" : String.format(Locale.ROOT, "%.3f", precision), recall);
            out.printf(Locale.ROOT, "baseline, no heads: surprise score alone: bogus-vs-real ROC AUC %.3f%n", surpriseAuc);
            out.printf(Locale.ROOT, "baseline, no model: logistic probe on token statistics (%d-fold, out of fold): bogus-vs-real ROC AUC %.3f%n",
                    FOLDS, tokenStatisticsAuc);
            flaggedByKind.forEach((k, v) -> out.printf(Locale.ROOT, "  flagged ARTEFACT: %-32s %.3f%n",
                    k.equals(HeadFitter.NORMAL) ? "real alerts (false flags)" : k, v));
        }
    }

    private AlertJudgement() {}

    /** The alerts of a simulate-alerts folder as alert triplets, each labelled from its truth.csv row ({@link AlertKind#objectLabel}). */
    static List<HeadFitter.Example> examples(Path dir, ConfigOptions options, PrintWriter err) throws IOException {
        Path truthFile = dir.resolve("truth.csv");
        if (!Files.isRegularFile(truthFile)) throw new IllegalArgumentException(dir + " has no truth.csv; astropt simulate-alerts writes one");
        Map<String, Set<String>> labels = new HashMap<>();
        for (Map<String, String> row : AlertTruthCatalogue.read(truthFile)) {
            labels.put(SequenceReader.id(Path.of(row.get("file"))), Set.of(AlertKind.valueOf(row.get("kind")).objectLabel()));
        }
        TrainingData data = TrainingData.read(dir, SequenceReader.alertTriplets(options.decoder(List.of(dir)),
                new AlertTripletTokenizer(options.config().alertTripletTokenizerSettings())), s -> err.println("astropt: skipped " + s));
        List<HeadFitter.Example> out = new ArrayList<>();
        for (int i = 0; i < data.ids().size(); i++) {
            Set<String> l = labels.get(data.ids().get(i));
            if (l != null) out.add(new HeadFitter.Example(data.ids().get(i), data.sequences().get(i), l));
        }
        return out;
    }

    /** Judges heads on alerts already embedded (results in the same order). */
    static Figures judge(ScoreHeads heads, List<HeadFitter.Example> alerts, List<Embedder.Result> results) {
        int n = alerts.size();
        double[] p = new double[n], surprise = new double[n];
        boolean[] bogus = new boolean[n];
        int flagged = 0, right = 0, positives = 0;
        Map<String, int[]> byKind = new TreeMap<>(); // label -> {flagged, count}
        for (int i = 0; i < n; i++) {
            ScoreHeads.Scored s = heads.score(alerts.get(i).tokens(), results.get(i));
            p[i] = s.scores().getOrDefault(ScoreHeads.ARTEFACT, Double.NaN);
            surprise[i] = results.get(i).surprise();
            String label = alerts.get(i).labels().iterator().next();
            bogus[i] = label.startsWith(HeadFitter.ARTEFACT_PREFIX);
            boolean flag = s.flags().stream().anyMatch(f -> f.flagKind().equals("ARTEFACT"));
            int[] k = byKind.computeIfAbsent(label, x -> new int[2]);
            k[1]++;
            if (flag) k[0]++;
            if (bogus[i]) positives++;
            if (flag) flagged++;
            if (flag && bogus[i]) right++;
        }
        Map<String, Double> shares = new java.util.LinkedHashMap<>();
        byKind.forEach((k, c) -> shares.put(k, (double) c[0] / c[1]));
        return new Figures(n, positives, RankingMetrics.rocAuc(p, bogus), flagged, flagged == 0 ? Double.NaN : (double) right / flagged,
                positives == 0 ? Double.NaN : (double) right / positives, shares, RankingMetrics.rocAuc(surprise, bogus),
                tokenStatisticsAuc(alerts, bogus));
    }

    /** A logistic probe on the heads' token statistics alone, its probabilities out of fold (folds by position). */
    private static double tokenStatisticsAuc(List<HeadFitter.Example> alerts, boolean[] bogus) {
        int n = alerts.size();
        double[][] x = alerts.stream().map(e -> HeadFeatures.tokens(e.tokens())).toArray(double[][]::new);
        int[] label = IntStream.range(0, n).map(i -> bogus[i] ? 1 : 0).toArray();
        double[] p = new double[n];
        for (int f = 0; f < FOLDS; f++) {
            int fold = f;
            int[] fit = IntStream.range(0, n).filter(i -> i % FOLDS != fold).toArray();
            LogisticHead h = LogisticProbe.head("token statistics", x, label, fit, Double.NaN);
            for (int i = fold; i < n; i += FOLDS) p[i] = h.probability(x[i]);
        }
        return RankingMetrics.rocAuc(p, bogus);
    }
}
