package org.astropt.stream.trainer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How people's labels change the flags when no trained candidate wins on loss: the serving version's weights with
 * score heads refitted on the labels now, published as a version of its own. Its network, and so every embedding, is
 * the serving version's (the loader skips the heads' tensors), so similarity stays in the same space.
 *
 * <p>There is one only when people labelled something since the serving version's heads were fitted (the labels
 * topic's offset, {@value HumanLabels#OFFSET_METRIC} in its metrics, has grown) and no heads-only version of the
 * same weights was tried on these labels already: without new labels, no extra version. It is PROMOTED when its heads agree with people's labels better than the serving version's by at least
 * {@value #MIN_GAIN}: the ROC AUC of the artefact probability, artefact-labelled against normal- or
 * interesting-labelled objects ({@link HeadTraining#agreement}), out of fold for the new heads, and for the serving
 * heads on the same objects (in sample wherever they had the label already, which favours the serving version).
 * Else REJECTED, with both figures in the note.
 */
final class HeadsOnlyCandidate {

    /**
     * The AUC gain that promotes a heads-only version: every promotion is a version the pipeline loads; 0.02 is
     * above the AUC's noise from fold assignment on a few hundred labels, yet one a few dozen new labels can reach.
     */
    static final double MIN_GAIN = 0.02;

    private static final Logger LOG = LoggerFactory.getLogger(HeadsOnlyCandidate.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DIR = "heads-candidate";

    private final TrainerSettings settings;
    private final Path stateDir;
    private final ModelStore store;
    private final ModelRegistry registry;
    private final HeadTraining heads;

    HeadsOnlyCandidate(TrainerSettings settings, Path stateDir, ModelStore store, ModelRegistry registry, HeadTraining heads) {
        this.settings = settings;
        this.stateDir = stateDir;
        this.store = store;
        this.registry = registry;
        this.heads = heads;
    }

    /**
     * The heads-only rule: the new heads' out-of-fold agreement (artefact AUC on people's labels) is at least
     * {@value #MIN_GAIN} above the serving heads' (chance, 0.5, when that could not be measured); never without
     * a measured agreement of the new heads.
     */
    static boolean promotes(double after, double before) {
        return Double.isFinite(after) && after >= (Double.isFinite(before) ? before : 0.5) + MIN_GAIN;
    }

    /**
     * Refits the serving version's heads when people labelled something since they were fitted, and publishes the
     * result as CANDIDATE, then PROMOTED or REJECTED; returns the decided record, or nothing when there were no new
     * labels (or a previous attempt already decided the same weights).
     */
    List<ModelVersion> publish(ModelVersion serving, long round) throws IOException {
        HumanLabels labels = heads.labels();
        double fittedAt = serving.getMetrics().getOrDefault(HumanLabels.OFFSET_METRIC, 0.0);
        if (labels.isEmpty() || labels.offset() <= fittedAt) return List.of();
        boolean tried = registry.versions().versions(settings.modelName()).stream().anyMatch(v -> v.getParentVersion() != null
                && v.getParentVersion() == serving.getVersion() && v.getMetrics().getOrDefault(HeadTraining.HEADS_ONLY, 0.0) > 0
                && v.getMetrics().getOrDefault(HumanLabels.OFFSET_METRIC, 0.0) >= labels.offset());
        if (tried) return List.of(); // these labels were tried on these weights already

        Path servingFolder = store.open(URI.create(serving.getWeightsUri()));
        Path dir = stateDir.resolve(DIR);
        Map<String, Object> metrics = new LinkedHashMap<>(new ModelFolder(servingFolder).metrics());
        double before;
        double after;
        try (AstroPTModel model = Checkpoint.load(servingFolder, AstroPTModel.defaultDevice())) {
            HeadTraining.Fit fit = heads.fit(model, labels);
            if (fit.examples().human().length == 0) {
                return List.of(); // the new labels are all of other models' objects (another layout): nothing to refit on
            }
            FileModelStore.deleteTree(dir);
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(servingFolder)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            before = HeadTraining.agreement(new ModelFolder(servingFolder).heads().orElse(ScoreHeads.NONE), fit.examples());
            after = fit.figures().getOrDefault(HeadTraining.AGREEMENT, Double.NaN);
            fit.heads().writeInto(dir.resolve(Checkpoint.WEIGHTS_FILE));
            metrics.keySet().removeIf(k -> k.startsWith("heads.") || k.startsWith("labels."));
            metrics.putAll(fit.figures());
        }
        metrics.put(HeadTraining.SERVING_AGREEMENT, before);
        metrics.put(HeadTraining.HEADS_ONLY, 1);
        metrics.put("round", round);
        metrics.put("parent_version", serving.getVersion());
        new ModelFolder(dir).writeMetrics(metrics);
        String sha = Checkpoint.sha256(dir.resolve(Checkpoint.WEIGHTS_FILE));
        URI folder = store.put(dir);
        FileModelStore.deleteTree(dir);

        var catalog = registry.versions();
        Optional<ModelVersion> already = catalog.withSha256(settings.modelName(), sha);
        if (already.isPresent() && already.get().getStatus() != ModelStatus.CANDIDATE) return List.of();
        long version = already.map(ModelVersion::getVersion).orElse(catalog.nextVersion(settings.modelName()));
        ModelVersion candidate = ModelVersion.newBuilder(serving)
                .setVersion(version)
                .setWeightsUri(ModelStore.weights(folder).toString())
                .setSha256(sha)
                .setSizeBytes(Files.size(store.open(folder).resolve(Checkpoint.WEIGHTS_FILE)))
                .setMetrics(ModelFolder.recordMetrics(metrics))
                .setParentVersion(serving.getVersion())
                .setStatus(ModelStatus.CANDIDATE)
                .setCreatedTime(Instant.now())
                .setNote("round " + round + ": v" + serving.getVersion() + "'s weights with heads refitted on " + labels.size() + " labels")
                .build();
        if (already.isEmpty()) registry.publish(List.of(candidate));
        boolean better = promotes(after, before);
        String note = String.format(Locale.ROOT, "v%d's weights with heads refitted on %d people's labels: artefact AUC %.3f out of fold"
                        + " %s %.3f of v%d's heads on the same labels (promotes at +%.2f)", serving.getVersion(), labels.size(), after,
                better ? "beats" : "does not beat", before, serving.getVersion(), MIN_GAIN);
        ModelVersion decided = ModelVersion.newBuilder(candidate).setStatus(better ? ModelStatus.PROMOTED : ModelStatus.REJECTED)
                .setNote(note).setCreatedTime(Instant.now()).build();
        registry.publish(List.of(decided));
        LOG.info("heads-only version={} status={} {}", decided.getVersion(), decided.getStatus(), note);
        return List.of(decided);
    }
}
