package org.astropt.stream.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.sim.AlertSurvey;
import org.astropt.stream.core.sim.ZtfPacketWriter;
import org.astropt.stream.schemas.ModelVersion;

/**
 * The alert side of {@code astropt demo}: the alert model it serves beside the galaxy model, the real sample packet
 * whose schema its simulated ZTF packets take ({@link AlertFeed}), and what its console says about alerts.
 */
final class DemoAlerts {

    /** The model name of the alert model, served beside the trainer's galaxy model. */
    static final String MODEL = "astropt-ztf";
    /** The real ZTF packet under ../shared/data/real whose schema the simulated packets are written with. */
    static final String ZTF_SAMPLE = "ztf_739260766315010006.avro";
    /** How often the alert progress line is printed (when it changed): often enough to watch, rare enough to read. */
    static final long PROGRESS_MS = 30_000;

    private DemoAlerts() {}

    /** The real ZTF sample packet in the shared folder (it may be absent). */
    static Path sample() { return DemoFeed.sharedFolder().resolve("data").resolve("real").resolve(ZTF_SAMPLE); }

    /** A writer of ZTF packets with the sample's schema; empty when the sample is absent (the demo then feeds no alerts). */
    static Optional<ZtfPacketWriter> packets() {
        return Files.isRegularFile(sample()) ? Optional.of(ZtfPacketWriter.fromSample(sample())) : Optional.empty();
    }

    /** The alert starter must be a model folder: refused in one line before anything starts, as the galaxy starter is. */
    static void checkStarter(Path folder) {
        if (!Files.isRegularFile(folder.resolve(Checkpoint.WEIGHTS_FILE))) {
            throw new IllegalArgumentException(folder + ": no alert starter model there (config.json and weights.safetensors);"
                    + " run from the repository root, or give --alert-starter DIR");
        }
    }

    /**
     * pipeline.model-names for the demo: the names the settings file serves (pipeline.model-names or pipeline.model-name),
     * else the trainer's galaxy model, and the alert model, each serving the sequences of its layout.
     */
    static String modelNames(SettingsFile pipelineFile, String galaxyModel) {
        String several = pipelineFile.string("pipeline.model-names", "");
        String names = several.isBlank() ? pipelineFile.string("pipeline.model-name", "") : several;
        Set<String> served = new LinkedHashSet<>();
        for (String n : names.split(",")) if (!n.isBlank()) served.add(n.trim());
        if (served.isEmpty()) served.add(galaxyModel);
        served.add(MODEL);
        return String.join(",", served);
    }

    /** What the console says about alerts at the start: the feed, or why there is none. */
    static String feedLine(LocalStack stack, double rate, Path data) {
        if (stack.feedsAlerts()) {
            return String.format(Locale.ROOT, "feeding simulated raw ZTF alert packets at %.1f/s to %s (seed %d, from alert %d; kinds in %s)%s",
                    rate, stack.alertFeed().topic(), AlertFeed.SEED, stack.alertFeed().firstIndex(), AlertFeed.truthFile(data, AlertSurvey.ZTF),
                    stack.alertFeed().labelFraction() > 0 ? String.format(Locale.ROOT, "; %.0f%% of them labelled real/bogus by simulated scanners,"
                            + " the labels %s's new versions fit their bogus heads on", 100 * stack.alertFeed().labelFraction(), MODEL) : "");
        }
        if (rate == 0) return "no simulated alerts (--alert-rate 0); " + DemoCommand.ZTF_ALERTS_TOPIC + " is read as published (astropt produce --format raw)";
        return "no ZTF sample packet at " + sample() + " (the simulated packets take its schema): running without simulated alerts; "
                + DemoCommand.ZTF_ALERTS_TOPIC + " is still read";
    }

    /** The console line of the published alert starter. */
    static String starterLine(ModelVersion v, Path folder) {
        return String.format(Locale.ROOT, "model %s v%d PROMOTED: the alert starter %s; alerts on %s embed with it, its bogus heads flag ARTEFACT",
                v.getName(), v.getVersion(), folder, DemoCommand.ZTF_ALERTS_TOPIC);
    }

    /**
     * e.g. {@code alerts: 120 sent to astropt.alerts.ztf (36 labelled), 118 embedded by astropt-ztf, 79 flagged bogus
     * (ARTEFACT), 0 dead-lettered}, and what Kafka refused when it refused any.
     */
    static String progress(LocalStack stack) {
        AlertFeed feed = stack.alertFeed();
        StreamTally.InputProgress p = stack.tally().progress(MODEL, feed.topic());
        String line = String.format(Locale.ROOT, "alerts: %d sent to %s (%d labelled), %d embedded by %s, %d flagged bogus (ARTEFACT), %d dead-lettered",
                feed.sent(), feed.topic(), feed.labelled(), p.embedded(), MODEL, p.flaggedArtefact(), p.deadLettered());
        if (feed.refusedAlerts() + feed.refusedLabels() > 0) {
            line += String.format(Locale.ROOT, "; Kafka refused %d alerts and %d labels (the first, %s)",
                    feed.refusedAlerts(), feed.refusedLabels(), feed.firstRefusal());
        }
        return line;
    }
}
