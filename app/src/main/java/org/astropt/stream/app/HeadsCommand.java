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

    @Option(names = "--simulate", required = true, paramLabel = "N", description = "Fit on N synthetic galaxies made in memory, labelled from their truth.")
    long simulate;

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
        PatchTokenizer tokenizer = new PatchTokenizer(options.config().tokenizerSettings().withSize(size));
        List<HeadFitter.Example> examples = TrainingData.simulate(simulate, size, seed, tokenizer,
                (g, tokens) -> new HeadFitter.Example(g.id(), tokens, HeadFitter.labelsOf(GalaxyLabels.of(g.truth()))));
        HeadFitter.Settings settings = new HeadFitter.Settings(HeadFitter.Settings.DEFAULT.folds(), minPositives, referenceSize,
                HeadFitter.Settings.DEFAULT.neighbours(), anomalyQuantile, HeadFitter.Settings.DEFAULT.seed());
        String source = String.format(Locale.ROOT, "synthetic survey seed %d, %d cutouts of %dx%d, labels from truth", seed, simulate, size, size);
        HeadFitter.Fitted fitted;
        try (AstroPTModel m = folder.load(AstroPTModel.defaultDevice())) {
            fitted = HeadFitter.fit(m, examples, settings, Map.of("source", source, "labels", "truth"));
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
        out.flush();
        return 0;
    }

    private static String fmt(Double v) {
        return v == null ? "none" : String.format(Locale.ROOT, "%.3f", v);
    }
}
