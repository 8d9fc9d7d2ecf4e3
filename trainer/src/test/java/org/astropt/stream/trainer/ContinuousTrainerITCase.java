package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.kafka.InProcessBroker;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The trainer against the real in-process broker: rounds, promotion, rejection, rollback, crash-resume. */
class ContinuousTrainerITCase {

    @TempDir
    static Path dir;
    @RegisterExtension
    static final InProcessBroker kafka = new InProcessBroker();

    @Test
    void roundsArePublishedPromotedOrRejectedAndRolledBack() throws Exception {
        Topics topics = TokenFeed.topics(kafka.broker(), "rounds");
        TrainerSettings settings = TokenFeed.settings(kafka.broker(), "rounds", dir.resolve("rounds"), 20);
        TokenFeed.sendTokens(kafka.broker(), topics, 3, 0, 100);

        RoundResult v1;
        RoundResult v2;
        try (ContinuousTrainer trainer = new ContinuousTrainer(settings, topics, new ContinuousTrainer.Listener() {})) {
            v1 = trainer.runRound().orElseThrow();
            assertEquals(1, v1.version());
            assertEquals(ModelStatus.PROMOTED, v1.status(), "nothing served before, so the first round serves");
            assertNull(v1.parentVersion());
            assertTrue(Double.isFinite(v1.heldOutLoss()));
            assertEquals(20.0, v1.metrics().get("steps"));
            Path folder = trainer.store().open(v1.folder());
            assertEquals(v1.sha256(), folder.getFileName().toString(), "the store names a version's folder by its weights' sha256");
            assertEquals(v1.sha256(), Checkpoint.sha256(folder.resolve(Checkpoint.WEIGHTS_FILE)));
            for (String f : List.of("config.json", "weights.safetensors", "metrics.json", "train-log.csv", "embedding-stats.json")) {
                assertTrue(Files.isRegularFile(folder.resolve(f)), f);
            }
            assertEquals(21, Files.readAllLines(folder.resolve("train-log.csv")).size(), "header and one row per step");
            assertTrue(v1.metrics().keySet().stream().anyMatch(k -> k.startsWith("eval.probe_r2.")),
                    "truth reaches the tokens' metadata, so the evaluation runs: " + v1.metrics());

            assertEquals(Optional.empty(), trainer.runRound(), "no new records, no round");

            TokenFeed.sendTokens(kafka.broker(), topics, 3, 100, 40);
            v2 = trainer.runRound().orElseThrow();
            assertEquals(2, v2.version());
            assertEquals(1L, v2.parentVersion(), "fine-tuned from the serving version");
            assertEquals(1L, v2.promotedVersion());
            assertTrue(Double.isFinite(v2.promotedHeldOutLoss()), "the serving version is measured now on the same sample");
            double improvement = v2.metrics().get("promote_improvement");
            assertEquals(v2.promotedHeldOutLoss() - v2.heldOutLoss(), improvement, 1e-9, "the mean of the paired differences");
            boolean significant = improvement >= settings.promoteMinImprovement() * v2.promotedHeldOutLoss()
                    && v2.metrics().get("promote_p") <= settings.promoteSignificance();
            assertEquals(significant ? ModelStatus.PROMOTED : ModelStatus.REJECTED, v2.status(),
                    "promoted exactly when it beats the serving version by enough, significantly: " + v2);
        }

        // A candidate trained at a learning rate that diverges is worse, and is rejected with both numbers.
        TokenFeed.sendTokens(kafka.broker(), topics, 3, 140, 30);
        long servingBefore;
        try (ContinuousTrainer diverging = new ContinuousTrainer(settings.withLearningRate(5.0), topics, new ContinuousTrainer.Listener() {})) {
            servingBefore = diverging.catalog().serving(settings.modelName()).orElseThrow().getVersion();
            RoundResult v3 = diverging.runRound().orElseThrow();
            assertEquals(3, v3.version());
            assertEquals(ModelStatus.REJECTED, v3.status(), v3.toString());
            assertFalse(v3.heldOutLoss() < v3.promotedHeldOutLoss(), "worse than the serving version: " + v3);
            assertTrue(v3.metrics().containsKey("heldout_loss") && v3.metrics().containsKey("promoted_heldout_loss"));
            ModelVersions catalog = diverging.catalog();
            assertEquals(servingBefore, catalog.serving(settings.modelName()).orElseThrow().getVersion(), "the old version keeps serving");
            assertTrue(catalog.version(settings.modelName(), 3).orElseThrow().getNote().contains("does not beat"));
        }

        // Rollback: with two promoted weights, the previous ones come back under a new, higher version.
        String name = settings.modelName();
        try (ModelRegistry registry = ModelRegistry.reading(kafka.bootstrapServers(), topics.name(Topics.MODELS), "rounds-cli")) {
            if (registry.versions().previousServing(name).isEmpty()) { // v2 lost to v1: its weights again as a CANDIDATE, served by hand
                ModelVersions now = registry.versions();
                long next = now.nextVersion(name);
                registry.publish(List.of(ModelVersion.newBuilder(now.version(name, 2).orElseThrow()).setVersion(next)
                        .setStatus(ModelStatus.CANDIDATE).build()));
                registry.promote(name, next, "served by hand");
            }
            ModelVersions before = registry.versions();
            ModelVersion current = before.serving(name).orElseThrow();
            ModelVersion previous = before.previousServing(name).orElseThrow();
            ModelVersion back = registry.rollback(name, "rolled back by hand").get(1);
            assertEquals(before.nextVersion(name), back.getVersion());
            assertEquals(previous.getSha256(), back.getSha256(), "the previous weights");
            ModelVersions after = registry.versions();
            assertEquals(back.getVersion(), after.serving(name).orElseThrow().getVersion());
            assertEquals(ModelStatus.ROLLED_BACK, after.version(name, current.getVersion()).orElseThrow().getStatus());
            assertNotEquals(current.getSha256(), after.serving(name).orElseThrow().getSha256());
        }
    }

    @Test
    void aTrainerKilledMidRoundResumesFromItsCheckpoint() throws Exception {
        Topics topics = TokenFeed.topics(kafka.broker(), "crash");
        TokenFeed.sendTokens(kafka.broker(), topics, 5, 0, 60);
        TrainerSettings settings = TokenFeed.settings(kafka.broker(), "crash", dir.resolve("crash"), 20);
        try (ContinuousTrainer doomed = new ContinuousTrainer(settings, topics, new ContinuousTrainer.Listener() {
            @Override
            public void progress(long round, Trainer.Progress p) {
                if (p.step() == 13) throw new IllegalStateException("killed at step 13");
            }
        })) {
            assertThrows(IllegalStateException.class, doomed::runRound);
            assertTrue(doomed.catalog().versions(settings.modelName()).isEmpty(), "nothing published by the killed round");
        }
        List<Integer> steps = new ArrayList<>();
        RoundResult resumed;
        try (ContinuousTrainer again = new ContinuousTrainer(settings, topics, new ContinuousTrainer.Listener() {
            @Override
            public void progress(long round, Trainer.Progress p) { steps.add(p.step()); }
        })) {
            resumed = again.runRound().orElseThrow();
            assertEquals(1, again.catalog().versions(settings.modelName()).size(), "one version, not two");
            assertEquals(Optional.empty(), again.runRound(), "the round's records are done");
        }
        assertEquals(11, steps.get(0), "resumed after the checkpoint of step 10");
        assertEquals(20, steps.get(steps.size() - 1));
        List<String> log = Files.readAllLines(Path.of(resumed.folder()).resolve("train-log.csv"), StandardCharsets.UTF_8);
        List<Integer> logged = log.stream().skip(1).map(l -> Integer.parseInt(l.substring(0, l.indexOf(',')))).toList();
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList(), logged, "every step once");

        // The same round without the crash reads the same records: tokens seen match, nothing lost or redone.
        Topics clean = TokenFeed.topics(kafka.broker(), "nocrash");
        TokenFeed.sendTokens(kafka.broker(), clean, 5, 0, 60);
        try (ContinuousTrainer straight = new ContinuousTrainer(TokenFeed.settings(kafka.broker(), "nocrash", dir.resolve("nocrash"), 20),
                clean, new ContinuousTrainer.Listener() {})) {
            RoundResult r = straight.runRound().orElseThrow();
            assertEquals(r.metrics().get("tokens_seen"), resumed.metrics().get("tokens_seen"));
        }
    }
}
