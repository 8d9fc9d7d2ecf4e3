package org.astropt.stream.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.astropt.stream.core.heads.LogisticHead;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.trainer.evaluation.GalaxyLabels;
import org.astropt.stream.trainer.evaluation.HeadFitter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code astropt heads --model DIR --simulate N --seed S}: fits a model folder's score heads (artefact probe heads
 * with their flag thresholds, and the novelty reference; {@link HeadFitter}) on synthetic cutouts labelled from
 * their truth, and writes them into its weights.safetensors. How the shipped starter got its heads; the continuous
 * trainer fits every version's heads itself, from people's labels. The folder's sha256 changes: publish after.
 *
 * <pre>
 *   bin/astropt heads --model models/astropt-1m-starter --simulate 6000 --seed 11
 * </pre>
 */
@Command(name = "heads", description = {
        "Fit a model folder's score heads (artefact probabilities with flag thresholds for precision 0.9, and the novelty "
                + "reference) on synthetic cutouts labelled from their truth, and write them into its weights.safetensors.",
        "Use a survey seed the model was never trained on, and evaluate on yet another."})
final class HeadsCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model folder (config.json + weights.safetensors).")
    Path model;

    static final class Source {
        @Option(names = "--simulate", required = true, paramLabel = "N", description = "Fit on N synthetic galaxies made in memory, labelled from their truth.")
        Long simulate;

        @Option(names = "--alerts", required = true, paramLabel = "DIR", description = "Fit an alert model's heads on the alert packets"
                + " astropt simulate-alerts wrote (its truth.csv: bogus alerts are labelled artefact:<kind>, real ones normal).")
        Path alerts;
    }

    @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--judge-on", paramLabel = "DIR", description = "With --alerts: apply the fitted heads to the alerts of another"
            + " simulate-alerts folder (a seed the fit never saw) and print bogus-vs-real ROC AUC and the flags' precision and recall.")
    Path judgeOn;

    @Option(names = "--seed", defaultValue = "11", paramLabel = "S", description = "Survey seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PIXELS", description = "Cutout side (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--min-positives", defaultValue = "10", paramLabel = "N",
            description = "A head needs this many labelled positives (default ${DEFAULT-VALUE}).")
    int minPositives;

    @Option(names = "--reference-size", defaultValue = "2000", paramLabel = "N",
            description = "Embeddings in the novelty reference (default ${DEFAULT-VALUE}).")
    int referenceSize;

    @Option(names = "--anomaly-quantile", defaultValue = "0.99", paramLabel = "Q",
            description = "Novelty at or above which ANOMALY is raised (default ${DEFAULT-VALUE}).")
    double anomalyQuantile;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(model)) throw new IllegalArgumentException("--model " + model + " is not a model folder");
        if (anomalyQuantile <= 0 || anomalyQuantile >= 1) throw new IllegalArgumentException("--anomaly-quantile must be in (0, 1), got " + anomalyQuantile);
        ModelFolder folder = new ModelFolder(model);
        folder.verify(null, null);
        List<HeadFitter.Example> examples;
        String source;
        if (this.source.alerts != null) {
            examples = alertExamples(this.source.alerts);
            source = this.source.alerts + ": " + examples.size() + " alert packets, labels from its truth.csv";
        } else {
            PatchTokenizer tokenizer = new PatchTokenizer(options.config().tokenizerSettings().withSize(size));
            examples = TrainingData.simulate(this.source.simulate, size, seed, tokenizer,
                    (g, tokens) -> new HeadFitter.Example(g.id(), tokens, HeadFitter.labelsOf(GalaxyLabels.of(g.truth()))));
            source = String.format(Locale.ROOT, "synthetic survey seed %d, %d cutouts of %dx%d, labels from truth", seed, this.source.simulate, size, size);
        }
        HeadFitter.Settings settings = new HeadFitter.Settings(HeadFitter.Settings.DEFAULT.folds(), minPositives, referenceSize,
                HeadFitter.Settings.DEFAULT.neighbours(), anomalyQuantile, HeadFitter.Settings.DEFAULT.seed());
        HeadFitter.Fitted fitted;
        List<HeadFitter.Example> judged = judgeOn != null ? alertExamples(judgeOn) : List.of();
        List<org.astropt.stream.core.model.Embedder.Result> judgedResults = List.of();
        try (AstroPTModel m = folder.load(AstroPTModel.defaultDevice())) {
            fitted = HeadFitter.fit(m, examples, settings, Map.of("source", source, "labels", "truth"));
            if (!judged.isEmpty()) {
                try (org.astropt.stream.core.model.Embedder e = new org.astropt.stream.core.model.Embedder(m, org.astropt.stream.core.model.Embedder.Settings.DEFAULT)) {
                    judgedResults = e.embed(judged.stream().map(HeadFitter.Example::tokens).toList());
                }
            }
        }
        fitted.heads().writeInto(folder.weights());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s: %s fitted on %s%n", model, fitted.heads(), source);
        out.printf("%-28s %9s %9s %10s %10s %8s%n", "head", "positives", "AUC(oof)", "threshold", "precision", "recall");
        for (LogisticHead h : fitted.heads().heads()) {
            String k = "heads." + h.name() + ".";
            Map<String, Double> f = fitted.figures();
            out.printf(Locale.ROOT, "%-28s %9.0f %9.3f %10s %10s %8s%n", h.name(), f.getOrDefault(k + "positives", Double.NaN),
                    f.getOrDefault(k + "auc_oof", Double.NaN), fmt(f.get(k + "threshold")), fmt(f.get(k + "precision_oof")), fmt(f.get(k + "recall_oof")));
        }
        out.println("wrote the heads into " + folder.weights() + " (its sha256 is now " + folder.sha256() + ")");
        if (!judged.isEmpty()) {
            AlertJudgement.judge(fitted.heads(), judged, judgedResults).print(out, judgeOn.toString());
            baselines(out, examples, judged);
        }
        out.flush();
        return 0;
    }

    /** The labelled examples of a simulate-alerts folder, read as the alert-triplet layout. */
    private List<HeadFitter.Example> alertExamples(Path dir) throws IOException {
        return AlertJudgement.examples(dir, options, spec.commandLine().getErr());
    }

    /**
     * What needs no model, fitted on the same alerts and judged on the same others: a logistic probe (bogus vs real) on
     * the heads' token statistics alone, and one on the first 128 principal components of the flattened tokens (the
     * pixel-PCA baseline of astropt evaluate, its components from the fit and judged alerts together, without labels).
     */
    private void baselines(PrintWriter out, List<HeadFitter.Example> fit, List<HeadFitter.Example> judged) {
        int n = fit.size() + judged.size();
        double[][] stats = new double[n][], pixels = new double[n][];
        int[] label = new int[n];
        boolean[] bogus = new boolean[judged.size()];
        for (int i = 0; i < n; i++) {
            HeadFitter.Example e = i < fit.size() ? fit.get(i) : judged.get(i - fit.size());
            stats[i] = org.astropt.stream.core.heads.HeadFeatures.tokens(e.tokens());
            pixels[i] = java.util.Arrays.stream(e.tokens()).flatMapToDouble(t -> java.util.stream.IntStream.range(0, t.length).mapToDouble(j -> t[j])).toArray();
            label[i] = e.labels().stream().anyMatch(l -> l.startsWith(HeadFitter.ARTEFACT_PREFIX)) ? 1 : 0;
            if (i >= fit.size()) bogus[i - fit.size()] = label[i] == 1;
        }
        int[] fitRows = java.util.stream.IntStream.range(0, fit.size()).toArray();
        List<Map.Entry<String, double[][]>> baselines = new java.util.ArrayList<>(List.of(Map.entry("token statistics", stats)));
        if (n <= PIXEL_PCA_MAX_ALERTS) {
            double[][] pca = org.astropt.stream.trainer.evaluation.PixelPca.scores(pixels, PIXEL_COMPONENTS);
            baselines.add(Map.entry("pixel PCA " + pca[0].length, pca));
        } else {
            out.printf(Locale.ROOT, "baseline, no model: pixel PCA left out: %d alerts in the fit and judged folders, more than %d"
                    + " (its eigen-decomposition grows as the cube of their number)%n", n, PIXEL_PCA_MAX_ALERTS);
        }
        for (var b : baselines) {
            LogisticHead h = org.astropt.stream.trainer.evaluation.LogisticProbe.head("baseline", b.getValue(), label, fitRows, Double.NaN);
            double[] p = new double[judged.size()];
            for (int i = 0; i < p.length; i++) p[i] = h.probability(b.getValue()[fit.size() + i]);
            out.printf(Locale.ROOT, "baseline, no model: logistic probe on %s: bogus-vs-real ROC AUC %.3f%n", b.getKey(),
                    org.astropt.stream.trainer.evaluation.RankingMetrics.rocAuc(p, bogus));
        }
    }

    /** Principal components of the pixel baseline: the width of AstroPT-1M's embedding. */
    private static final int PIXEL_COMPONENTS = 128;
    /** Alerts (fit and judged) up to which the pixel baseline is computed: 3,000 take about two minutes on two shared cores. */
    private static final int PIXEL_PCA_MAX_ALERTS = 4000;

    private static String fmt(Double v) {
        return v == null ? "none" : String.format(Locale.ROOT, "%.3f", v);
    }
}
