package org.astropt.stream.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real Kafka broker (KRaft, broker and controller in one node) inside this JVM: what the tests and
 * the local stack ({@code astropt demo}) run against.
 *
 * <pre>{@code
 * try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dataDir, 0, Topics.load(Path.of("config/topics.properties")))) {
 *     String bootstrap = kafka.bootstrapServers(); // localhost:PORT
 * }
 * }</pre>
 *
 * Single-node settings: replication factor and min ISR 1 for the internal offsets, transaction and
 * share-coordinator topics (the defaults of 3 stall consumer groups and transactions on one node),
 * no initial rebalance delay, no automatic topic creation (the topics come from config/).
 */
public final class LocalKafkaBroker implements AutoCloseable {

    /** Longest transaction the broker allows: Flink's KafkaSink timeout must stay below it. */
    public static final long MAX_TRANSACTION_TIMEOUT_MS = 900_000;

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private LocalKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats dataDir when it is empty, starts the broker and creates the topics.
     *
     * @param port broker port on localhost; 0 picks a free one
     */
    public static LocalKafkaBroker start(Path dataDir, int port, Topics topics) throws IOException, InterruptedException {
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path logDir = dataDir.resolve("kraft");
        Files.createDirectories(logDir);
        Properties p = new Properties();
        p.putAll(Map.of(
                "process.roles", "broker,controller",
                "node.id", "1",
                "controller.quorum.voters", "1@localhost:" + controllerPort,
                "listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners", "PLAINTEXT://localhost:" + brokerPort,
                "controller.listener.names", "CONTROLLER",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "PLAINTEXT",
                "log.dirs", logDir.toString()));
        p.putAll(Map.of(
                "offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "4",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "4",
                "share.coordinator.state.topic.replication.factor", "1",
                "share.coordinator.state.topic.min.isr", "1",
                "group.initial.rebalance.delay.ms", "0",
                "auto.create.topics.enable", "false",
                "transaction.max.timeout.ms", String.valueOf(MAX_TRANSACTION_TIMEOUT_MS)));
        Path configFile = dataDir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(configFile)) {
            p.store(w, "LocalKafkaBroker");
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) format(configFile);

        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
        server.startup();
        LocalKafkaBroker broker = new LocalKafkaBroker(server, "localhost:" + brokerPort);
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        } catch (RuntimeException | InterruptedException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** StorageTool.execute, not main: main exits the JVM. */
    private static void format(Path configFile) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString()}, out);
        }
        if (rc != 0) throw new IllegalStateException("formatting Kafka storage failed: " + log.toString(StandardCharsets.UTF_8).trim());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** host:port for bootstrap.servers. */
    public String bootstrapServers() { return bootstrapServers; }

    /** An admin client on this broker; close it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
