package org.astropt.stream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.InvalidCheckpointException;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.sim.TruthCatalogue;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.trainer.evaluation.GalaxyLabels;
import org.astropt.stream.trainer.evaluation.ModelEvaluation;
import org.astropt.stream.trainer.evaluation.ModelEvaluation.LabelledCutout;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code astropt evaluate --model DIR|NAME:VERSION (--simulate N --seed S | --data DIR) [--json]}: what a
 * model's embeddings are good for, on cutouts with truth, beside a pixel-PCA baseline of the same width
 * ({@link ModelEvaluation}: probe R^2, morphology accuracy, kNN purity, artefact AUC and precision at
 * recall 0.8). The trainer runs the same evaluation before it promotes; docs/SCIENCE.md has the figures.
 * With --simulate, a share of the N cutouts ({@code --novel-fraction}, 10 % by default) are novel objects
 * no model trains on (mergers, rings, lensed arcs: {@code NovelKind}), for judging novelty; the other figures
 * leave them out.
 *
 * <pre>
 *   bin/astropt evaluate --model models/sim-1m --simulate 1000 --seed 9001
 *   bin/astropt evaluate --model astropt:3 --bootstrap localhost:9092 --simulate 1000 --seed 9001 --json
 *   bin/astropt evaluate --model models/sim-1m --data data/heldout      # astropt simulate's folder, with truth.csv
 *   bin/astropt evaluate --model models/astropt-ztf-1m-starter --alerts /tmp/ztf-27182   # simulate-alerts' folder: bogus vs real
 * </pre>
 */
@Command(name = "evaluate", description = {
        "Evaluate a model's embeddings on cutouts with truth, beside a pixel-PCA baseline of the same dimension: "
                + "linear-probe R^2, morphology accuracy, kNN purity@10, artefact ROC AUC and precision at recall 0.8.",
        "Use a survey seed the model was never trained on."})
final class EvaluateCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--simulate", paramLabel = "N", required = true,
                description = "Evaluate on N synthetic galaxies made in memory, with their truth.")
        Long simulate;

        @Option(names = "--data", paramLabel = "DIR", required = true,
                description = "A folder astropt simulate wrote: cutouts (fits/) and truth.csv.")
        Path data;

        @Option(names = "--alerts", paramLabel = "DIR", required = true,
                description = "For an alert model: a folder astropt simulate-alerts wrote (packets and truth.csv); judges the version's"
                        + " bogus heads (ROC AUC, flag precision and recall, per kind) beside the surprise score and a token-statistics probe.")
        Path alerts;
    }

    @Option(names = "--model", required = true, paramLabel = "DIR|NAME:VERSION",
            description = "A model folder (config.json + weights.safetensors), or a version on the models topic (with --bootstrap).")
    String model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--seed", defaultValue = "9001", paramLabel = "S",
            description = "Survey seed for --simulate; pick one the model never trained on (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--novel-fraction", defaultValue = "0.1", paramLabel = "F",
            description = "With --simulate: the share of cutouts that are novel objects (mergers, rings, lensed arcs) no model"
                    + " trained on, for judging novelty; the other figures leave them out (default ${DEFAULT-VALUE}).")
    double novelFraction;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PIXELS", description = "Cutout side (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--folds", defaultValue = "5", paramLabel = "K", description = "Cross-validation folds (default ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka whose models topic resolves NAME:VERSION.")
    String bootstrap;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topics", defaultValue = "config/topics.properties", paramLabel = "FILE",
            description = "Topic names (default ${DEFAULT-VALUE}; defaults in code when absent).")
    Path topics;

    @Option(names = "--json", description = "Print one JSON object with every figure instead of the table.")
    boolean json;

    @Option(names = "--write-stats", description = "Also write the model folder's embedding-stats.json (what /similar and the map"
            + " standardise its embeddings with) from these cutouts' embeddings, novel objects left out. A folder only, not NAME:VERSION.")
    boolean writeStats;

    /** --config (decode.* and tokenizer.* for --data) and --stamp. */
    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        if (source.alerts != null) return evaluateAlerts();
        if (folds < 2) throw new IllegalArgumentException("--folds must be at least 2, got " + folds);
        if (!(novelFraction >= 0 && novelFraction <= 1)) {
            throw new IllegalArgumentException("--novel-fraction must be between 0 and 1, got " + novelFraction);
        }
        if (source.simulate != null && source.simulate < ModelEvaluation.MIN_OBJECTS) {
            throw new IllegalArgumentException("--simulate needs at least " + ModelEvaluation.MIN_OBJECTS + " galaxies, got " + source.simulate);
        }
        PatchTokenizer tokenizer = new PatchTokenizer(options.config().tokenizerSettings().withSize(size));
        List<LabelledCutout> cutouts = source.simulate != null ? simulate(source.simulate, tokenizer) : read(source.data, tokenizer);
        String sourceName = source.simulate != null
                ? String.format(Locale.ROOT, "synthetic survey seed %d, %d cutouts of %dx%d, %d novel", seed, source.simulate, size, size,
                        cutouts.stream().filter(c -> c.labels().isNovel()).count())
                : source.data.toString();
        if (writeStats && !Files.isDirectory(Path.of(model))) {
            throw new IllegalArgumentException("--write-stats takes a model folder, not the version " + model + " (its folder in the model store is shared)");
        }
        ModelFolder folder = resolve();
        Map<String, Double> figures;
        String architecture;
        try (AstroPTModel m = folder.load(AstroPTModel.defaultDevice())) {
            architecture = String.format(Locale.ROOT, "%d layers, n_embd %d, %,d parameters", m.config().nLayer(), m.config().nEmbd(), m.parameterCount());
            figures = ModelEvaluation.evaluate(m, folder.heads().orElse(ScoreHeads.NONE), cutouts, folds, seed);
            if (writeStats) {
                EmbeddingStats stats = EmbeddingStats.measure(m, ModelEvaluation.ordinary(cutouts).stream().map(LabelledCutout::tokens).toList())
                        .orElseThrow(() -> new IllegalArgumentException(model + ": fewer than two finite embeddings, no statistics written"));
                folder.writeEmbeddingStats(stats);
                spec.commandLine().getErr().println("astropt: wrote " + folder.dir().resolve(ModelFolder.EMBEDDING_STATS_FILE)
                        + " from " + stats.count() + " embeddings");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("model", model);
            o.put("model_folder", folder.dir().toString());
            o.put("source", sourceName);
            figures.forEach(o::put);
            out.println(JSON.writeValueAsString(o));
        } else {
            out.printf("%s (%s) on %s%n", model, architecture, sourceName);
            out.print(EvaluationTable.render(figures));
        }
        out.flush();
        return 0;
    }

    /** --alerts: the version's shipped heads judged on a labelled folder of alerts ({@link AlertJudgement}). */
    private Integer evaluateAlerts() throws IOException {
        ModelFolder folder = resolve();
        List<org.astropt.stream.trainer.evaluation.HeadFitter.Example> alerts = AlertJudgement.examples(source.alerts, options, spec.commandLine().getErr());
        if (alerts.size() < ModelEvaluation.MIN_OBJECTS) {
            throw new InvalidCutoutException(source.alerts.toString(), "holds " + alerts.size() + " alerts with a truth.csv row; evaluate needs at least "
                    + ModelEvaluation.MIN_OBJECTS);
        }
        ScoreHeads heads = folder.heads().orElseThrow(() -> new IllegalArgumentException(model + " ships no score heads to judge (astropt heads fits them)"));
        AlertJudgement.Figures figures;
        try (AstroPTModel m = folder.load(AstroPTModel.defaultDevice())) {
            if (m.config().inputLayout() != org.astropt.stream.core.token.InputLayout.ALERT_TRIPLET) {
                throw new IllegalArgumentException(model + " reads " + m.config().inputLayout().id() + ", not alert triplets: --alerts judges alert models");
            }
            try (org.astropt.stream.core.model.Embedder e = new org.astropt.stream.core.model.Embedder(m, org.astropt.stream.core.model.Embedder.Settings.DEFAULT)) {
                figures = AlertJudgement.judge(heads, alerts, e.embed(alerts.stream().map(org.astropt.stream.trainer.evaluation.HeadFitter.Example::tokens).toList()));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("model", model);
            o.put("model_folder", folder.dir().toString());
            o.put("source", source.alerts.toString());
            figures.asMap().forEach(o::put);
            out.println(JSON.writeValueAsString(o));
        } else {
            figures.print(out, source.alerts.toString());
        }
        out.flush();
        return 0;
    }

    /** The model folder --model names: a folder, or NAME:VERSION on the models topic of --bootstrap. */
    private ModelFolder resolve() throws IOException {
        Path dir = Path.of(model);
        if (Files.isDirectory(dir)) {
            ModelFolder folder = new ModelFolder(dir);
            folder.verify(null, null);
            return folder;
        }
        int colon = model.lastIndexOf(':');
        if (colon <= 0 || !model.substring(colon + 1).matches("\\d+")) {
            throw new InvalidCheckpointException(model, "is neither a model folder nor NAME:VERSION (e.g. astropt:3)");
        }
        if (bootstrap == null) throw new IllegalArgumentException("--model " + model + " names a version on the models topic: add --bootstrap HOST:PORT");
        String name = model.substring(0, colon);
        long version = Long.parseLong(model.substring(colon + 1));
        String topic = Topics.of(SettingsFile.readIfPresent(topics)).name(Topics.MODELS);
        ModelVersion v = ModelRegistry.read(kafka.connect(bootstrap), topic).version(name, version).orElseThrow(() ->
                new IllegalArgumentException("--model " + model + ": no such version on " + topic + " at " + bootstrap));
        ModelFolder folder = ModelFolder.at(v.getWeightsUri()).orElseThrow(() -> new IllegalArgumentException(
                "--model " + model + ": its weights are at " + v.getWeightsUri() + ", not on this machine's file system"));
        folder.verify(v.getSha256(), v.getArchitecture());
        return folder;
    }

    /** N galaxies of the survey, --novel-fraction of them novel objects, rendered and tokenized on all cores, with their truth. */
    private List<LabelledCutout> simulate(long count, PatchTokenizer tokenizer) {
        SyntheticSurvey survey = new SyntheticSurvey(seed, size, count).withNovelFraction(novelFraction);
        return TrainingData.simulate(survey, tokenizer, (g, tokens) -> new LabelledCutout(g.id(), tokens, GalaxyLabels.of(g.truth())));
    }

    /** The cutouts of an astropt simulate folder, their truth from its truth.csv by id. */
    private List<LabelledCutout> read(Path dir, PatchTokenizer tokenizer) throws IOException {
        Path truthFile = dir.resolve("truth.csv");
        if (!Files.isRegularFile(truthFile)) {
            throw new InvalidCutoutException(dir.toString(), "has no truth.csv; evaluate needs the truth that astropt simulate writes beside the cutouts");
        }
        Map<String, GalaxyLabels> truth = TruthCatalogue.read(truthFile).stream()
                .collect(Collectors.toMap(r -> r.get("id"), r -> GalaxyLabels.fromCells(r).orElseThrow()));
        PrintWriter err = spec.commandLine().getErr();
        TrainingData data = TrainingData.read(dir, new SequenceReader(options.decoder(), tokenizer), s -> err.println("astropt: skipped " + s));
        List<LabelledCutout> out = new ArrayList<>();
        for (int i = 0; i < data.ids().size(); i++) {
            GalaxyLabels labels = truth.get(data.ids().get(i));
            if (labels != null) out.add(new LabelledCutout(data.ids().get(i), data.sequences().get(i), labels));
        }
        if (out.size() < ModelEvaluation.MIN_OBJECTS) {
            throw new InvalidCutoutException(dir.toString(), "holds " + out.size() + " cutouts with a truth.csv row; evaluate needs at least "
                    + ModelEvaluation.MIN_OBJECTS);
        }
        return out;
    }
}
