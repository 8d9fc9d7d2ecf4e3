package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.TopicSpec;
import org.astropt.stream.kafka.Topics;
import org.junit.jupiter.api.Test;

/**
 * docker/ (compose file, Kubernetes FlinkDeployment, Dockerfiles) against config/ and the pom: topics,
 * ports, images, Flink settings and versions must say the same thing, since Docker cannot run here.
 * This lives in app/ because app/ sees every module's settings classes (Topics, PipelineSettings).
 */
class DockerConfigConsistencyTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String BOOTSTRAP = "kafka:9092";
    /** Where the app images run (WORKDIR) and so where config/ and data/ sit. */
    private static final String APP_HOME = "/opt/astropt";

    private final JsonNode compose = yaml("docker/docker-compose.yml");
    private final JsonNode services = compose.path("services");
    private final JsonNode k8s = yaml("docker/k8s/flinkdeployment.yaml");
    private final Map<String, String> pom = pomProperties();

    @Test
    void kafkaInitCreatesExactlyTheTopicsOfTopicsProperties() throws IOException {
        Topics topics = Topics.load(ROOT.resolve("config/topics.properties"));
        Map<String, TopicSpec> created = new TreeMap<>();
        Pattern create = Pattern.compile("--topic (\\S+) --partitions (\\d+) --replication-factor (\\d+)((?: --config \\S+=\\S+)*)");
        for (String line : services.path("kafka-init").path("command").get(0).asText().split("\n")) {
            Matcher m = create.matcher(line);
            if (!m.find()) continue;
            Map<String, String> configs = new TreeMap<>();
            for (String c : m.group(4).trim().split("\\s*--config\\s+")) {
                if (!c.isBlank()) configs.put(c.substring(0, c.indexOf('=')), c.substring(c.indexOf('=') + 1));
            }
            created.put(m.group(1), new TopicSpec("?", m.group(1), Integer.parseInt(m.group(2)), Short.parseShort(m.group(3)), configs));
        }
        Map<String, TopicSpec> expected = new TreeMap<>();
        for (TopicSpec t : topics.all()) {
            expected.put(t.name(), new TopicSpec("?", t.name(), t.partitions(), t.replicationFactor(), new TreeMap<>(t.configs())));
        }
        assertEquals(expected, created, "kafka-init in docker-compose.yml vs config/topics.properties");
        assertTrue(command("feed").contains("--topic " + topics.name(Topics.CUTOUTS)), "the feed writes to the cutouts topic");
    }

    @Test
    void everyServiceReachesKafkaWhereTheBrokerAdvertisesItself() {
        JsonNode env = services.path("kafka").path("environment");
        assertTrue(env.path("KAFKA_ADVERTISED_LISTENERS").asText().contains("PLAINTEXT://" + BOOTSTRAP), "broker advertises " + BOOTSTRAP);
        assertEquals("false", env.path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText(), "topics only from config/");
        for (String service : List.of("jobmanager", "trainer", "backfill", "model-server", "feed")) {
            assertTrue(command(service).contains("--bootstrap " + BOOTSTRAP), service + " uses --bootstrap " + BOOTSTRAP);
        }
        assertTrue(k8s.path("spec").path("job").path("args").toString().contains("\"--bootstrap\",\"" + BOOTSTRAP + "\""),
                "FlinkDeployment job args use --bootstrap " + BOOTSTRAP);
    }

    @Test
    void portsMatchConfig() throws IOException {
        Properties server = properties("config/server.properties");
        String serverPort = server.getProperty("server.port", "8080"); // ServerSettings' default
        assertEquals(List.of(serverPort + ":" + serverPort), texts(services.path("model-server").path("ports")), "model server port");
        assertTrue(read("docker/app/Dockerfile").contains("EXPOSE " + serverPort), "model-server image exposes server.port");
        String flinkYaml = read("config/flink/config.yaml");
        String restPort = StandaloneFlinkCluster.settingOf(flinkYaml, "rest.port");
        restPort = restPort.isEmpty() ? "8081" : restPort; // Flink's default
        assertEquals(List.of(restPort + ":" + restPort), texts(services.path("jobmanager").path("ports")), "Flink REST port");
        assertEquals(List.of("9092:9092"), texts(services.path("kafka").path("ports")), "Kafka port of " + BOOTSTRAP);
    }

    @Test
    void flinkSettingsOfTheFlinkDeploymentAreThoseOfConfigFlinkYaml() throws IOException {
        JsonNode conf = k8s.path("spec").path("flinkConfiguration");
        Map<String, String> project = flatYaml(read("config/flink/config.yaml"));
        assertFalse(project.isEmpty());
        for (Map.Entry<String, String> e : project.entrySet()) {
            assertEquals(e.getValue(), conf.path(e.getKey()).asText(null), "flinkConfiguration." + e.getKey() + " vs config/flink/config.yaml");
        }
        assertTrue(project.containsKey("classloader.parent-first-patterns.additional") && project.containsKey("external-resources"),
                "config.yaml keeps DJL parent-first and the GPU resource");
        // The local mini clusters (astropt demo, astropt pipeline, the benchmark) use config.yaml's network buffers.
        org.astropt.stream.flink.EmbeddingPipeline.NETWORK_BUFFERS.forEach((key, value) ->
                assertEquals(value, project.get(key), key + ": EmbeddingPipeline.NETWORK_BUFFERS vs config/flink/config.yaml"));
        // The image merges the whole file into conf/config.yaml.
        assertTrue(read("docker/flink/Dockerfile").contains("< /opt/astropt/config/flink/config.yaml"), "Dockerfile merges config.yaml");

        PipelineSettings pipeline = PipelineSettings.load(ROOT.resolve("config/pipeline.properties"));
        assertEquals(pipeline.parallelism(), k8s.path("spec").path("job").path("parallelism").asInt(-1), "job.parallelism vs pipeline.parallelism");
        assertEquals(String.valueOf(pipeline.parallelism()), flatYaml(services.path("jobmanager").path("environment").path("FLINK_PROPERTIES").asText())
                .get("parallelism.default"), "compose parallelism.default vs pipeline.parallelism");
        assertEquals(pipeline.checkpointIntervalMs() + " ms", conf.path("execution.checkpointing.interval").asText(),
                "execution.checkpointing.interval vs pipeline.checkpoint-interval-ms");
        long brokerMax = services.path("kafka").path("environment").path("KAFKA_TRANSACTION_MAX_TIMEOUT_MS").asLong();
        assertTrue(pipeline.transactionTimeoutMs() <= brokerMax, "pipeline.transaction-timeout-ms under the broker's transaction.max.timeout.ms");
    }

    @Test
    void gpuTaskManagersAskForAsManyGpusAsTheExternalResourceAmount() throws IOException {
        Map<String, String> flink = flatYaml(read("config/flink/config.yaml"));
        int amount = Integer.parseInt(flink.get("external-resource.gpu.amount"));
        JsonNode device = services.path("taskmanager").path("deploy").path("resources").path("reservations").path("devices").path(0);
        assertEquals("nvidia", device.path("driver").asText());
        assertEquals(amount, device.path("count").asInt(-1), "compose GPU reservation vs external-resource.gpu.amount");
        assertTrue(texts(device.path("capabilities")).contains("gpu"));
        String resource = flink.get("external-resource.gpu.kubernetes.config-key");
        JsonNode tm = k8s.path("spec").path("taskManager").path("podTemplate").path("spec").path("containers").path(0);
        assertEquals("flink-main-container", tm.path("name").asText(), "the operator merges the template into flink-main-container");
        assertEquals(amount, tm.path("resources").path("limits").path(resource).asInt(-1), "pod GPU limit vs external-resource.gpu.amount");
        assertEquals(flink.get("taskmanager.numberOfTaskSlots"), "1", "one embed subtask per GPU");
    }

    @Test
    void imagesAndVersionsAgreeWithThePom() throws IOException {
        String version = pom.get("project.version");
        Map<String, String> images = new LinkedHashMap<>();
        services.fields().forEachRemaining(e -> images.put(e.getKey(), e.getValue().path("image").asText()));
        for (String service : List.of("jobmanager", "taskmanager", "trainer", "backfill", "model-server", "feed")) {
            assertTrue(images.get(service).startsWith("astropt-stream/") && images.get(service).endsWith(":" + version),
                    service + " image " + images.get(service) + " tagged with the project version " + version);
        }
        assertEquals(images.get("jobmanager"), images.get("taskmanager"), "one Flink image");
        assertEquals(images.get("jobmanager"), k8s.path("spec").path("image").asText(), "FlinkDeployment image vs compose");
        String flinkVersion = pom.get("flink.version");
        assertEquals("v" + flinkVersion.substring(0, flinkVersion.lastIndexOf('.')).replace('.', '_'),
                k8s.path("spec").path("flinkVersion").asText(), "FlinkDeployment flinkVersion vs flink.version");
        assertEquals("apache/kafka:" + pom.get("kafka.version"), images.get("kafka"), "broker version vs kafka.version");
        assertEquals(images.get("kafka"), images.get("kafka-init"));

        String dockerfile = read("docker/flink/Dockerfile");
        assertTrue(dockerfile.contains("\nFROM flink:" + flinkVersion + "-java17\n"), "Flink image FROM flink:" + flinkVersion + "-java17");
        String torch = pom.get("pytorch.native.version");
        assertTrue(pom.get("pytorch.jni.version").startsWith(torch + "-"), "JNI built for the native libtorch version");
        assertTrue(dockerfile.contains("PYTORCH_VERSION=" + torch) && dockerfile.contains("-" + torch + "%2Bcu"),
                "CUDA libtorch of version " + torch);
        // The jar names the Dockerfile and docs list for lib/: what docker/flink-lib copies at the pom's versions.
        List<String> jars = List.of("api-" + pom.get("djl.version") + ".jar", "pytorch-engine-" + pom.get("djl.version") + ".jar",
                "pytorch-jni-" + pom.get("pytorch.jni.version") + ".jar");
        for (String doc : List.of("docker/README.md", "docs/PIPELINE.md")) {
            String text = read(doc);
            for (String jar : jars) assertTrue(text.contains(jar), doc + " names " + jar);
        }
        for (String jar : jars) assertTrue(dockerfile.contains(jar.replace(".jar", "")), "Dockerfile names " + jar);
    }

    @Test
    void theModelStoreIsOneVolumeAtOnePathForWhoWritesAndWhoReadsIt() throws IOException {
        String store = properties("config/trainer.properties").getProperty("trainer.model-store", "file:data/models");
        String path = store.replaceFirst("^file:(//)?", "");
        String mount = path.startsWith("/") ? path : APP_HOME + "/" + path;
        for (String service : List.of("trainer", "model-server", "jobmanager", "taskmanager")) {
            assertTrue(texts(services.path(service).path("volumes")).stream().anyMatch(v -> v.matches("models:" + Pattern.quote(mount) + "(:ro)?")),
                    service + " mounts the model store at " + mount + " (trainer.model-store " + store + ")");
        }
        JsonNode tm = k8s.path("spec").path("taskManager").path("podTemplate").path("spec").path("containers").path(0);
        assertEquals(mount, tm.path("volumeMounts").path(0).path("mountPath").asText(), "FlinkDeployment TaskManagers read the store at " + mount);
        for (String service : List.of("trainer", "model-server", "feed")) {
            assertEquals(APP_HOME, services.path(service).path("working_dir").asText(), service + " runs where config/ is");
        }
    }

    @Test
    void theInitialModelShipsAndTheFlinkImageHoldsItWhereItsPathResolves() throws IOException {
        String initial = PipelineSettings.load(ROOT.resolve("config/pipeline.properties")).embed().initialModelDir();
        if (initial == null) return; // the pipeline waits for a first PROMOTED version: nothing to ship
        Path relative = Path.of(initial);
        assertFalse(relative.isAbsolute(), "pipeline.initial-model " + initial + " is a path in the repository");
        assertTrue(Files.isRegularFile(ROOT.resolve(relative).resolve("weights.safetensors")), "the repository holds " + initial);
        // A relative path resolves from the working directory: /opt/flink for the JobManager and TaskManagers.
        assertTrue(read("docker/flink/Dockerfile").contains("COPY --chown=flink:flink " + relative.getName(0) + "/ /opt/flink/"
                + relative.getName(0) + "/"), "the Flink image copies " + relative.getName(0) + "/ to /opt/flink/");
    }

    private String command(String service) {
        JsonNode c = services.path(service).path("command");
        return c.isArray() ? String.join(" ", texts(c)) : c.asText();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** "key: value" lines of a flat YAML file or FLINK_PROPERTIES block (comments and blanks skipped). */
    static Map<String, String> flatYaml(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.trim().startsWith("#")) continue;
            int colon = line.indexOf(": ");
            out.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
        }
        return out;
    }

    private static JsonNode yaml(String file) {
        try {
            return YAML.readTree(ROOT.resolve(file).toFile());
        } catch (IOException e) {
            throw new IllegalStateException(file + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    private static String read(String file) throws IOException { return Files.readString(ROOT.resolve(file)); }

    /** A config file's properties; empty when the file does not exist (the code defaults apply). */
    private static Properties properties(String file) throws IOException {
        Properties p = new Properties();
        Path path = ROOT.resolve(file);
        if (Files.exists(path)) {
            try (var in = Files.newBufferedReader(path)) {
                p.load(in);
            }
        }
        return p;
    }

    private static Map<String, String> pomProperties() {
        try {
            String pom = read("pom.xml");
            Map<String, String> out = new TreeMap<>();
            Matcher version = Pattern.compile("<artifactId>astropt-stream</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
            if (version.find()) out.put("project.version", version.group(1));
            Matcher m = Pattern.compile("<([a-z.]+\\.version)>([^<$]+)</\\1>").matcher(pom);
            while (m.find()) out.put(m.group(1), m.group(2));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
