package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.model.TrainLog;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.kafka.InProcessBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two models trained from one token topic (trainer.models, {@link Trainers}) on the real in-process broker: a
 * galaxy model on grz-cutout records and an alert model on alert-triplet records (synthetic ZTF packets with the
 * real schema, decoded and tokenized as the pipeline does). The galaxy cutouts are tokenized in 8 px patches here,
 * so both layouts have tokens of the same 192 values and only the layout tells a model's records from the
 * other's. Run: {@code ./mvnw -B -o -pl trainer -am verify -Dtest=TrainersITCase -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class TrainersITCase {

    private static final String GALAXIES = "astropt-galaxy", ALERTS = "astropt-ztf";
    /** One pass over each round's records (trainer.steps-per-round 0), so a round's tokens_seen counts exactly what it trained on. */
    private static final int ONE_PASS = 0;
    /** A held-out sample smaller than either layout's held-out records: another layout's records would crowd a model's out. */
    private static final int HELD_OUT_MAX = 6;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final InProcessBroker kafka = new InProcessBroker();

    @Test
    void eachModelTrainsOnItsLayoutWithItsOwnVersionsAndPosition() throws Exception {
        Topics topics = TokenFeed.topics(kafka.broker(), "models");
        TrainerSettings settings = TokenFeed.settings(kafka.broker(), "models", dir.resolve("models"), ONE_PASS,
                Map.of("trainer.models", GALAXIES + "=grz-cutout, " + ALERTS + "=alert-triplet",
                        "trainer.held-out-max", String.valueOf(HELD_OUT_MAX)));
        // alerts first: a galaxy model sized from the topic's first record would be an alert model
        List<String> alertIds = new ArrayList<>(TokenFeed.sendAlertTokens(kafka.broker(), topics, 5, 0, 16));
        TokenFeed.sendTokens(kafka.broker(), topics, 3, 0, 30, TokenizerSettings.defaults().withPatchSize(8).withSize(TokenFeed.SIZE));
        alertIds.addAll(TokenFeed.sendAlertTokens(kafka.broker(), topics, 5, 16, 8));
        List<String> galaxyIds = IntStream.range(0, 30).mapToObj(i -> SyntheticSurvey.id(3, i)).toList();
        long onTopic = alertIds.size() + galaxyIds.size();

        try (Trainers trainers = new Trainers(settings, topics, new Trainers.Listener() {})) {
            assertEquals(List.of(GALAXIES, ALERTS), trainers.names());
            assertEquals(InputLayout.ALERT_TRIPLET, trainers.layout(ALERTS));

            RoundResult ztf1 = trainers.runRound(ALERTS).orElseThrow();
            assertEquals(1, ztf1.version());
            assertEquals(ModelStatus.PROMOTED, ztf1.status(), "its first version serves");
            assertEquals(onTopic, trainers.trainer(GALAXIES).pendingRecords(), "the alert model's round leaves the galaxy model's position");
            assertTrue(trainers.catalog().versions(GALAXIES).isEmpty(), "nor publishes a version of it");

            RoundResult galaxy1 = trainers.runRound(GALAXIES).orElseThrow();
            assertEquals(1, galaxy1.version(), "each name has its own version numbers");
            assertEquals(ModelStatus.PROMOTED, galaxy1.status());

            ModelConfig ztfConfig = config(trainers, ztf1), galaxyConfig = config(trainers, galaxy1);
            assertEquals(InputLayout.ALERT_TRIPLET, ztfConfig.inputLayout());
            assertEquals(8, ztfConfig.patchSize(), "an alert model reads 8 px patches");
            assertEquals(3, ztfConfig.nChan(), "science, template, difference");
            assertEquals(InputLayout.GRZ_CUTOUT, galaxyConfig.inputLayout());
            // one pass over exactly the records of its layout that are not held out: 15 predicted tokens of each
            // galaxy (4 x 4 patches), 63 of each alert (a 63 px stamp padded to 8 x 8 patches); one record of the
            // other layout would change the count
            assertEquals(15.0 * (galaxyIds.size() - heldOut(galaxyIds, settings)), galaxy1.metrics().get("tokens_seen"), galaxy1.metrics().toString());
            assertEquals(63.0 * (alertIds.size() - heldOut(alertIds, settings)), ztf1.metrics().get("tokens_seen"), ztf1.metrics().toString());
            // the learning-rate schedule of a one-pass round is sized for the model's own records, so it ends with the
            // pass (sized for the whole topic, the alert model's would stop half-way down, still near its peak)
            for (String name : trainers.names()) assertScheduleEndsWithThePass(name, settings);
            // each evaluated on a held-out sample of its own layout, full (trainer.held-out-max), not crowded out by the other's
            assertEquals((double) Math.min(HELD_OUT_MAX, heldOut(galaxyIds, settings)), galaxy1.metrics().get("heldout_sequences"));
            assertEquals((double) Math.min(HELD_OUT_MAX, heldOut(alertIds, settings)), ztf1.metrics().get("heldout_sequences"));
            assertEquals(GALAXIES, only(trainers, GALAXIES).getName());
            assertEquals(ALERTS, only(trainers, ALERTS).getName());
            for (String name : trainers.names()) {
                assertTrue(Files.isRegularFile(dir.resolve("models/state").resolve(name).resolve("state.json")), name + "'s own state folder");
            }
            assertEquals(onTopic, committed("models-trainer-" + GALAXIES, topics), "each model commits its position to its own group");
            assertEquals(onTopic, committed("models-trainer-" + ALERTS, topics));

            // new alerts: a round of the alert model moves neither the galaxy model's position nor its versions
            int more = TokenFeed.sendAlertTokens(kafka.broker(), topics, 5, 24, 8).size();
            Path galaxyState = dir.resolve("models/state").resolve(GALAXIES).resolve("state.json");
            String galaxyStateBefore = Files.readString(galaxyState);
            RoundResult ztf2 = trainers.runRound(ALERTS).orElseThrow();
            assertEquals(2, ztf2.version());
            assertEquals(1L, ztf2.parentVersion(), "fine-tuned from its own serving version");
            assertEquals(galaxyStateBefore, Files.readString(galaxyState));
            assertEquals(more, trainers.trainer(GALAXIES).pendingRecords());
            assertEquals(List.of(1L), trainers.catalog().versions(GALAXIES).stream().map(ModelVersion::getVersion).distinct().toList());
            assertEquals(onTopic, committed("models-trainer-" + GALAXIES, topics));
            assertEquals(onTopic + more, committed("models-trainer-" + ALERTS, topics));

            // and those alerts are nothing the galaxy model trains on: its round publishes nothing
            assertEquals(Optional.empty(), trainers.runRound(GALAXIES));
            assertEquals(1L, trainers.catalog().serving(GALAXIES).orElseThrow().getVersion());
            assertEquals(2L, trainers.catalog().serving(ALERTS).orElseThrow().getVersion());
        }
    }

    /** The config.json of a published version's folder. */
    private static ModelConfig config(Trainers trainers, RoundResult r) throws Exception {
        return ModelConfig.read(trainers.trainer(GALAXIES).store().open(r.folder()).resolve("config.json"));
    }

    /** The one version of a model on the models topic (its latest record). */
    private static ModelVersion only(Trainers trainers, String name) {
        List<ModelVersion> versions = trainers.catalog().versions(name);
        assertEquals(1, versions.stream().map(ModelVersion::getVersion).distinct().count(), name + ": " + versions);
        return versions.get(versions.size() - 1);
    }

    /** How many of these ids the held-out split (id hash below trainer.held-out-fraction) holds. */
    private static long heldOut(List<String> ids, TrainerSettings s) {
        return ids.stream().filter(id -> Trainer.Split.idHash(id) < s.heldOutFraction()).count();
    }

    /** The offsets a consumer group committed on the token topic, summed over partitions. */
    private static long committed(String group, Topics topics) throws Exception {
        try (var admin = kafka.broker().admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topics.name(Topics.TOKENS)))
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /** The round's last logged learning rate is its schedule's value at the last step: the schedule was as long as the pass. */
    private static void assertScheduleEndsWithThePass(String name, TrainerSettings settings) throws Exception {
        List<Double> lr = TrainLog.columns(Files.readAllLines(dir.resolve("models/state").resolve(name).resolve(RoundLog.FILE)), Integer.MAX_VALUE).get("lr");
        int steps = lr.size();
        double end = LrSchedule.of(settings.peakLearningRate(), steps / 20, steps).at(steps - 1);
        assertEquals(end, lr.get(steps - 1), 1e-5 * end, name + "'s last learning rate in " + steps + " steps: " + lr);
    }
}
