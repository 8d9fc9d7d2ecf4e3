package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Embedding;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flink-jobs job jar on a Flink standalone session cluster, submitted with `flink run` (CliFrontend),
 * with DJL and libtorch in the cluster's lib/ as docs/PIPELINE.md ("Running on a cluster") says:
 * cutouts in through `astropt produce`, embeddings out read_committed, then the job is cancelled and
 * submitted again, and the TaskManager must serve the second job with the libtorch it loaded for the first.
 *
 * Needs the lib/ folder (docker/flink-lib, profile flink-dist) and the job jar; skipped without them.
 * {@code bench/scripts/flink-cluster-check.sh} builds both and runs this test (about a minute).
 */
class FlinkClusterITCase {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path LIB = ROOT.resolve("docker/flink-lib/target/lib");
    private static final Path JOB_JAR = ROOT.resolve("flink-jobs/target/astropt-flink-jobs-job.jar");
    /** AstroPT v1 shaped, 2 blocks, 64 wide: a real checkpoint folder (config.json + weights.safetensors). */
    private static final Path MODEL = SharedFixtures.folder().resolve("fixtures/astropt-v1-tiny");
    private static final int N = 12;

    @TempDir
    Path dir;

    @Test
    void jobJarRunsOnAStandaloneClusterAndItsResubmissionReusesTheLibtorchOfTheTaskManager() throws Exception {
        assumeBuilt();
        Topics topics = Topics.load(ROOT.resolve("config/topics.properties"));
        Map<String, String> tmEnv = Map.of("DJL_CACHE_DIR", System.getProperty("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai"),
                "OPT_OUT_TRACKING", "true");
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir.resolve("kafka"), 0, topics);
             StandaloneFlinkCluster flink = StandaloneFlinkCluster.start(LIB, ROOT.resolve("config/flink/config.yaml"),
                     dir.resolve("flink"), tmEnv)) {
            String bootstrap = kafka.bootstrapServers();
            String[] run = {"-c", "org.astropt.stream.flink.PipelineJob", JOB_JAR.toString(), "--bootstrap", bootstrap,
                    "--config", pipelineSettings().toString(), "--topics", ROOT.resolve("config/topics.properties").toString()};

            String first = flink.submit(run);
            flink.awaitRunning(first, Duration.ofSeconds(90));
            Set<String> firstIds = produce(bootstrap, "first");
            Map<String, Embedding> out = embeddings(bootstrap, topics, firstIds);
            assertEquals(firstIds, out.keySet(), "embeddings of the first job (" + flink.logs() + ")");
            for (Embedding e : out.values()) {
                assertEquals(64, e.getVector().size(), "vector width = n_embd of the model");
                assertTrue(e.getVector().stream().allMatch(v -> Float.isFinite(v)), "finite vector for " + e.getId());
            }

            assertTrue(flink.flink("cancel", first).contains("Cancelled job " + first));
            String second = flink.submit(run);
            flink.awaitRunning(second, Duration.ofSeconds(90));
            Set<String> secondIds = produce(bootstrap, "second");
            Set<String> all = new TreeSet<>(firstIds);
            all.addAll(secondIds);
            // The second job resumes from the offsets the first committed at its last checkpoint, so a few
            // cutouts may come out twice: what counts is that every id comes out.
            assertEquals(all, embeddings(bootstrap, topics, all).keySet(), "embeddings after the resubmission");

            String log = Files.readString(flink.taskManagerLog());
            assertEquals(1, count(log, "Loading native library: .*libtorch\\.so"),
                    "libtorch loaded once in the TaskManager JVM for two jobs (" + flink.taskManagerLog() + ")");
            // The engine started once, with the thread settings of env.java.opts.taskmanager in config/flink/config.yaml.
            assertEquals(1, count(log, "Number of inter-op threads is 1"), "one PyTorch engine start, with config.yaml's threads");
            assertFalse(log.contains("UnsatisfiedLinkError"), "no second native load attempt");
        }
    }

    private static void assumeBuilt() throws IOException {
        SharedFixtures.tiny("weights.safetensors"); // a missing model fails under -Dastropt.requireFixtures=true
        boolean libReady = Files.isDirectory(LIB) && Stream.of("flink-runtime-", "pytorch-engine-", "pytorch-native-")
                .allMatch(prefix -> hasJar(LIB, prefix));
        Assumptions.assumeTrue(libReady && Files.exists(JOB_JAR),
                "skipped: needs " + LIB + " (./mvnw -f docker/flink-lib/pom.xml package -Pflink-dist) and " + JOB_JAR
                        + "; bench/scripts/flink-cluster-check.sh builds them and runs this test");
    }

    private static boolean hasJar(Path lib, String prefix) {
        try (Stream<Path> jars = Files.list(lib)) {
            return jars.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
        } catch (IOException e) {
            return false;
        }
    }

    /** config/pipeline.properties with the fixture model as version 0, so embeddings start at once. */
    private Path pipelineSettings() throws IOException {
        String settings = Files.readString(ROOT.resolve("config/pipeline.properties"))
                .replaceAll("(?m)^pipeline\\.initial-model=.*$", "pipeline.initial-model=" + MODEL.toString().replace("\\", "/"));
        Path file = dir.resolve("pipeline.properties");
        Files.writeString(file, settings);
        return file;
    }

    /** Writes N synthetic 64x64 FITS cutouts named PREFIX-i and sends them with `astropt produce`. */
    private Set<String> produce(String bootstrap, String prefix) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(prefix));
        SyntheticSurvey survey = new SyntheticSurvey(prefix.hashCode(), 64, N);
        Set<String> ids = new TreeSet<>();
        for (int i = 0; i < N; i++) {
            String id = prefix + "-" + i;
            Files.write(folder.resolve(id + ".fits"), SurveyWriter.fitsBytes(survey.galaxy(i)));
            ids.add(id);
        }
        CliRun r = CliRun.of("produce", folder, "--bootstrap", bootstrap);
        assertEquals(0, r.exit(), r.err());
        return ids;
    }

    /** The committed embeddings by id, read until every expected id is there (or 90 s passed). */
    private static Map<String, Embedding> embeddings(String bootstrap, Topics topics, Set<String> expected) {
        List<ConsumerRecord<byte[], byte[]>> records = CommittedRecords.read(bootstrap, topics.name(Topics.EMBEDDINGS),
                r -> ids(r).containsAll(expected), Duration.ofSeconds(90), Duration.ofSeconds(1));
        AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class);
        Map<String, Embedding> byId = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byId.put(new String(r.key(), StandardCharsets.UTF_8), codec.decode(r.value()));
        }
        return byId;
    }

    private static Set<String> ids(List<ConsumerRecord<byte[], byte[]>> records) {
        Set<String> ids = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) ids.add(new String(r.key(), StandardCharsets.UTF_8));
        return ids;
    }

    private static long count(String log, String regex) {
        return log.lines().filter(java.util.regex.Pattern.compile(regex).asPredicate()).count();
    }
}
