package org.astropt.stream.trainer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.astropt.stream.core.heads.LogisticHead;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.EmbeddingStats;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.TokenSequence;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;

/**
 * Judges a round's candidate against the serving version and publishes the verdict on astropt.models.
 * It measures the candidate's held-out loss and the PROMOTED version's on the same sequences at the same
 * time, per sequence, and their paired difference (promote_* keys), plus the evaluation of {@link Evaluation#figures} (eval.* keys), and writes them to the version folder's
 * metrics.json before storing it, with the mean and std of its held-out embeddings (embedding-stats.json, for
 * standardised similarity).
 * It then publishes the stored candidate as CANDIDATE, then PROMOTED when nothing served or when it is
 * significantly better than the serving version ({@link #verdict}: a paired comparison per held-out sequence,
 * with a minimum effect), else REJECTED with the numbers in the note. A resumed publication finds
 * what a previous attempt published by the weights' sha256 and publishes only what is missing.
 * Every candidate ships score heads fitted on people's labels ({@link HeadTraining}, before the weights' sha256 is
 * taken); when it is REJECTED but people labelled objects since the serving version's heads were fitted, the
 * serving weights with refitted heads follow as a {@link HeadsOnlyCandidate}.
 *
 * <p>The trainer's only reader and writer of the models topic.
 */
final class CandidateJudge implements AutoCloseable {

    /** The decision on a candidate, and the note its record carries. */
    record Verdict(ModelStatus status, String note) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String VERSIONS_FILE = "versions.csv";
    static final String CANDIDATE_DIR = "candidate";

    private final TrainerSettings settings;
    private final Path stateDir;
    private final ModelStore store;
    private final ModelRegistry registry;
    private final HeadTraining heads;
    private final HeadsOnlyCandidate headsOnly;

    CandidateJudge(TrainerSettings settings, Topics topics, Path stateDir, ModelStore store) {
        this.settings = settings;
        this.stateDir = stateDir;
        this.store = store;
        this.registry = ModelRegistry.reading(settings.kafka(), topics.name(Topics.MODELS), settings.transactionalId());
        this.heads = new HeadTraining(settings, topics);
        this.headsOnly = new HeadsOnlyCandidate(settings, stateDir, store, registry, heads);
    }

    /** The models topic now. */
    ModelVersions catalog() { return registry.versions(); }

    /** The version that serves now, if any: what a new round fine-tunes. */
    Long servingVersion() { return registry.versions().serving(settings.modelName()).map(ModelVersion::getVersion).orElse(null); }

    /** The weights URI of a version on the models topic (a round's parent). */
    URI weightsOf(long version) {
        ModelVersion v = registry.versions().version(settings.modelName(), version).orElseThrow(() -> new IllegalStateException(
                "version " + version + " of " + settings.modelName() + " is gone from the models topic"));
        return URI.create(v.getWeightsUri());
    }

    /** Evaluates the trained model and the serving one on the held-out sample, writes the version folder and stores it. */
    void storeCandidate(TrainerState state, AstroPTModel model, HeldOutSet heldOut, RoundLog log) throws IOException {
        List<TokenSequence> sample = heldOut.sequences().stream()
                .filter(s -> model.config().inputLayout().id().equals(s.getLayout())
                        && s.getTokenDim() == model.config().tokenDim() && s.getTokenCount() >= 2
                        && s.getTokenCount() <= model.config().blockSize()).toList();
        List<float[][]> tokens = sample.stream().map(TokenSequences::tokens).toList();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("model", settings.modelName());
        metrics.put("round", state.round + 1);
        metrics.put("parent_version", state.parentVersion);
        List<Embedder.Result> candidateResults = Evaluation.embed(model, tokens); // the losses and the embedding statistics
        double[] losses = Evaluation.losses(candidateResults);
        metrics.put(ModelFolder.HELD_OUT_LOSS, Evaluation.mean(losses));
        metrics.put("heldout_sequences", sample.size());
        Optional<ModelVersion> promoted = registry.versions().serving(settings.modelName());
        if (promoted.isPresent() && !tokens.isEmpty()) {
            try (AstroPTModel serving = Checkpoint.load(store.open(URI.create(promoted.get().getWeightsUri())), AstroPTModel.defaultDevice())) {
                double[] servingLosses = Evaluation.heldOutLosses(serving, tokens);
                Improvement improvement = Improvement.of(servingLosses, losses);
                metrics.put("promoted_version", promoted.get().getVersion());
                metrics.put("promoted_heldout_loss", Evaluation.mean(servingLosses));
                metrics.put("promote_improvement", improvement.mean());
                metrics.put("promote_standard_error", improvement.standardError());
                metrics.put("promote_t", improvement.t());
                metrics.put("promote_p", improvement.pValue());
            }
        }
        metrics.put("train_loss", state.lastLoss);
        metrics.put("steps", state.step);
        metrics.put("tokens_seen", state.tokensSeen);
        metrics.put("wall_s", (System.currentTimeMillis() - state.startedMillis) / 1000.0);
        metrics.put("training_s", state.trainingMillis / 1000.0);
        // the heads go into the weights before their sha256 is taken; fitted without the held-out sample, which judges them
        HeadTraining.Fit fit = heads.fit(model, heads.labels(), sample.stream().map(s -> s.getId().toString()).collect(java.util.stream.Collectors.toSet()));
        metrics.putAll(Evaluation.figures(model, fit.heads(), sample, settings.seed()));

        Path candidate = stateDir.resolve(CANDIDATE_DIR);
        FileModelStore.deleteTree(candidate);
        Checkpoint.save(model, candidate, Safetensors.Dtype.F32);
        fit.heads().writeInto(candidate.resolve(Checkpoint.WEIGHTS_FILE));
        metrics.putAll(fit.figures());
        new ModelFolder(candidate).writeMetrics(metrics);
        log.copyTo(candidate.resolve(ModelFolder.TRAIN_LOG_FILE));
        writeEmbeddingStats(candidateResults, new ModelFolder(candidate));
        URI folder = store.put(candidate);
        state.candidateUri = folder.toString();
        state.candidateSha = Checkpoint.sha256(candidate.resolve(Checkpoint.WEIGHTS_FILE));
        state.phase = TrainerState.Phase.TRAINED;
        state.save(stateDir);
        FileModelStore.deleteTree(candidate);
    }

    /**
     * embedding-stats.json: the mean and std of the candidate's embeddings of the held-out sequences, which
     * /similar and the dashboard's map standardise its embeddings with. None when fewer than two sequences.
     */
    static void writeEmbeddingStats(List<Embedder.Result> heldOut, ModelFolder folder) throws IOException {
        Optional<EmbeddingStats> stats = EmbeddingStats.ofFinite(heldOut.stream().map(Embedder.Result::embedding).toList());
        if (stats.isPresent()) folder.writeEmbeddingStats(stats.get());
    }

    /**
     * Publishes the stored candidate as CANDIDATE, then PROMOTED or REJECTED, and adds a row to versions.csv;
     * what a previous attempt already published (found by the weights' sha256) is not published again.
     */
    RoundResult publish(TrainerState state) throws IOException {
        URI folder = URI.create(state.candidateUri);
        Path local = store.open(folder);
        Map<String, Double> metrics = ModelFolder.recordMetrics(JSON.readValue(local.resolve(ModelFolder.METRICS_FILE).toFile(), new TypeReference<>() {}));
        double loss = metrics.getOrDefault(ModelFolder.HELD_OUT_LOSS, Double.NaN);
        double promotedLoss = metrics.getOrDefault("promoted_heldout_loss", Double.NaN);
        Long promotedVersion = metrics.containsKey("promoted_version") ? metrics.get("promoted_version").longValue() : null;

        ModelVersions catalog = registry.versions();
        Optional<ModelVersion> already = catalog.withSha256(settings.modelName(), state.candidateSha);
        ModelVersion decided;
        if (already.isPresent() && already.get().getStatus() != ModelStatus.CANDIDATE) {
            decided = already.get();
        } else {
            ModelConfig config = ModelConfig.read(local.resolve(Checkpoint.CONFIG_FILE));
            long version = already.map(ModelVersion::getVersion).orElse(catalog.nextVersion(settings.modelName()));
            ModelVersion candidate = ModelVersion.newBuilder()
                    .setName(settings.modelName())
                    .setVersion(version)
                    .setArchitecture(ModelFolder.architecture(config))
                    .setWeightsUri(ModelStore.weights(folder).toString())
                    .setSha256(state.candidateSha)
                    .setSizeBytes(Files.size(local.resolve(Checkpoint.WEIGHTS_FILE)))
                    .setMetrics(metrics)
                    .setParentVersion(state.parentVersion)
                    .setStatus(ModelStatus.CANDIDATE)
                    .setCreatedTime(Instant.now())
                    .setNote("round " + (state.round + 1))
                    .build();
            if (already.isEmpty()) registry.publish(List.of(candidate));
            Improvement improvement = new Improvement(metrics.getOrDefault("promote_improvement", Double.NaN),
                    metrics.getOrDefault("promote_standard_error", Double.NaN), metrics.getOrDefault("heldout_sequences", 0.0).intValue());
            Verdict verdict = keepsFlags(verdict(loss, promotedVersion, promotedLoss, improvement, settings.promoteMinImprovement(),
                    settings.promoteSignificance()), catalog.serving(settings.modelName()), local);
            decided = ModelVersion.newBuilder(candidate).setStatus(verdict.status()).setNote(verdict.note())
                    .setCreatedTime(Instant.now()).build();
            registry.publish(List.of(decided));
        }
        RoundResult result = new RoundResult(state.round + 1, decided.getVersion(), decided.getStatus(), loss, promotedLoss,
                promotedVersion, state.parentVersion, state.candidateSha, folder, metrics);
        appendVersion(result, decided);
        if (decided.getStatus() == ModelStatus.REJECTED) {
            Optional<ModelVersion> serving = registry.versions().serving(settings.modelName());
            if (serving.isPresent()) {
                for (ModelVersion h : headsOnly.publish(serving.get(), state.round + 1)) {
                    appendVersion(new RoundResult(state.round + 1, h.getVersion(), h.getStatus(), loss, promotedLoss, promotedVersion,
                            h.getParentVersion(), h.getSha256(), URI.create(h.getWeightsUri()).resolve("."), h.getMetrics()), h);
                }
            }
        }
        return result;
    }

    /**
     * The serving version's held-out loss minus the candidate's, paired by sequence: the mean difference
     * (positive: the candidate predicts better), the standard error of that mean, and the number of sequences.
     */
    record Improvement(double mean, double standardError, int sequences) {

        /** The paired differences serving[i] - candidate[i]; NaN figures for fewer than two sequences. */
        static Improvement of(double[] serving, double[] candidate) {
            if (serving.length != candidate.length) {
                throw new IllegalArgumentException("paired losses need the same sequences: " + serving.length + " vs " + candidate.length);
            }
            int n = serving.length;
            if (n < 2) return new Improvement(Double.NaN, Double.NaN, n);
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = serving[i] - candidate[i];
            double sd = new StandardDeviation().evaluate(d); // bias-corrected (n - 1)
            return new Improvement(new Mean().evaluate(d), sd / Math.sqrt(n), n);
        }

        /** The paired t statistic mean / standard error (+infinity for a positive mean without spread). */
        double t() {
            return standardError == 0 && mean > 0 ? Double.POSITIVE_INFINITY : mean / standardError;
        }

        /** One-sided p-value of no improvement, from Student's t with n - 1 degrees of freedom; NaN when unmeasured. */
        double pValue() {
            double t = t();
            if (Double.isNaN(t) || sequences < 2) return Double.NaN;
            if (Double.isInfinite(t)) return t > 0 ? 0 : 1;
            return 1 - new TDistribution(sequences - 1).cumulativeProbability(t);
        }
    }

    /**
     * PROMOTED when nothing served and the candidate's held-out loss is finite; with a serving version, when it
     * is also significantly better on the same sequences: the mean paired improvement is at least minImprovement
     * of the serving loss, and its one-sided p-value at most significance. Else REJECTED. The note gives the
     * losses, the improvement with its standard error, t and n, and both thresholds.
     */
    static Verdict verdict(double loss, Long promotedVersion, double promotedLoss, Improvement improvement,
                           double minImprovement, double significance) {
        if (promotedVersion == null) {
            return new Verdict(Double.isFinite(loss) ? ModelStatus.PROMOTED : ModelStatus.REJECTED,
                    String.format(Locale.ROOT, "held-out loss %.5f; no version served before", loss));
        }
        double needed = minImprovement * promotedLoss;
        boolean large = improvement.mean() > 0 && improvement.mean() >= needed;
        boolean significant = improvement.pValue() <= significance;
        boolean better = Double.isFinite(loss) && large && significant;
        String why = better || !(improvement.mean() > 0) ? "" : !large ? " by enough" : " significantly";
        String note = String.format(Locale.ROOT,
                "held-out loss %.5f %s %.5f of v%d%s: improvement %.5f (%.2f%%) +- %.5f s.e., t %.2f, p %.2g over the same %d sequences"
                        + " (promotes at >= %.5f (%.2f%%) and p <= %s)",
                loss, better ? "beats" : "does not beat", promotedLoss, promotedVersion, why, improvement.mean(),
                100 * improvement.mean() / promotedLoss, improvement.standardError(), improvement.t(), improvement.pValue(),
                improvement.sequences(), needed, 100 * minImprovement, significance);
        return new Verdict(better ? ModelStatus.PROMOTED : ModelStatus.REJECTED, note);
    }


    /**
     * A PROMOTED verdict stands only if the candidate's heads still raise every flag the serving version's raise:
     * a candidate fitted on too few labels of some kind (e.g. an alert model's, whose token records carry no truth,
     * before scanners labelled enough) would otherwise silence that flag on the stream. Else REJECTED, naming the flags.
     */
    private Verdict keepsFlags(Verdict verdict, Optional<ModelVersion> serving, Path candidate) throws IOException {
        if (verdict.status() != ModelStatus.PROMOTED || serving.isEmpty()) return verdict;
        ScoreHeads before = new ModelFolder(store.open(URI.create(serving.get().getWeightsUri()))).heads().orElse(ScoreHeads.NONE);
        ScoreHeads after = new ModelFolder(candidate).heads().orElse(ScoreHeads.NONE);
        List<String> dropped = droppedFlags(before, after);
        if (dropped.isEmpty()) return verdict;
        return new Verdict(ModelStatus.REJECTED, verdict.note() + "; but its heads would no longer flag " + String.join(", ", dropped)
                + " as v" + serving.get().getVersion() + "'s do (too few labelled examples to fit them), so it is not promoted");
    }

    /** The heads of before that raise a flag (a threshold was reached) for which after has no head that does. */
    static List<String> droppedFlags(ScoreHeads before, ScoreHeads after) {
        return before.heads().stream().filter(h -> !Double.isNaN(h.threshold())).map(LogisticHead::name)
                .filter(name -> after.head(name).map(h -> Double.isNaN(h.threshold())).orElse(true)).toList();
    }

    /** STATE_DIR/versions.csv: one row per published version (a heads-only one too), for the dashboard. */
    private void appendVersion(RoundResult r, ModelVersion v) throws IOException {
        Path file = stateDir.resolve(VERSIONS_FILE);
        List<String> rows = new ArrayList<>();
        if (!Files.exists(file)) rows.add("round,version,status,heldout_loss,promoted_version,promoted_heldout_loss,sha256,created");
        rows.add(String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s,%s", r.round(), r.version(), r.status(),
                r.heldOutLoss(), r.promotedVersion() == null ? "" : r.promotedVersion(),
                Double.isNaN(r.promotedHeldOutLoss()) ? "" : r.promotedHeldOutLoss(), r.sha256(), v.getCreatedTime()));
        Files.write(file, rows, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void close() { registry.close(); }
}
