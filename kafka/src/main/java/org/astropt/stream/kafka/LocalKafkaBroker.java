package org.astropt.stream.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.astropt.stream.core.config.SettingsFile;

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
 * {@link #startSecured} adds a SASL_SSL listener (SCRAM-SHA-512 users, TLS with a {@link LocalTls} keystore) beside
 * the PLAINTEXT one, which stays the broker's own listener and the admin's: what the secured-Kafka tests run the
 * pipeline against, with the clients' {@link KafkaClientSettings} from {@link #securedClient}.
 *
 * <p>Single-node settings: replication factor and min ISR 1 for the internal offsets, transaction and
 * share-coordinator topics (the defaults of 3 stall consumer groups and transactions on one node),
 * no initial rebalance delay, no automatic topic creation (the topics come from config/).
 */
public final class LocalKafkaBroker implements AutoCloseable {

    /** Longest transaction the broker allows: Flink's KafkaSink timeout must stay below it. */
    public static final long MAX_TRANSACTION_TIMEOUT_MS = 900_000;

    /** The SCRAM mechanism of the secured listener. */
    public static final String SCRAM = "SCRAM-SHA-512";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String securedBootstrapServers;
    private final LocalTls tls;

    private LocalKafkaBroker(KafkaRaftServer server, String bootstrapServers, String securedBootstrapServers, LocalTls tls) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.securedBootstrapServers = securedBootstrapServers;
        this.tls = tls;
    }

    /**
     * Formats dataDir when it is empty, starts the broker and creates the topics.
     *
     * @param port broker port on localhost; 0 picks a free one
     */
    public static LocalKafkaBroker start(Path dataDir, int port, Topics topics) throws IOException, InterruptedException {
        return start(dataDir, port, topics, null, Map.of());
    }

    /**
     * {@link #start} with a SASL_SSL listener on a free port beside the PLAINTEXT one: TLS with tls's keystore,
     * SASL/SCRAM-SHA-512 with the users given (name -> password), written into the storage when it is formatted,
     * so they can log in from the first connection. dataDir must be empty (or formatted with the same users).
     */
    public static LocalKafkaBroker startSecured(Path dataDir, Topics topics, LocalTls tls, Map<String, String> scramUsers)
            throws IOException, InterruptedException {
        if (scramUsers.isEmpty()) throw new IllegalArgumentException("a SASL_SSL listener needs at least one SCRAM user");
        return start(dataDir, 0, topics, tls, scramUsers);
    }

    private static LocalKafkaBroker start(Path dataDir, int port, Topics topics, LocalTls tls, Map<String, String> scramUsers)
            throws IOException, InterruptedException {
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        int securedPort = tls == null ? -1 : freePort();
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
        if (tls != null) addSecuredListener(p, securedPort, tls);
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
        if (!Files.exists(logDir.resolve("meta.properties"))) format(configFile, scramUsers);

        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
        server.startup();
        LocalKafkaBroker broker = new LocalKafkaBroker(server, "localhost:" + brokerPort,
                tls == null ? null : "localhost:" + securedPort, tls);
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        } catch (RuntimeException | InterruptedException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** Listener SASL_SSL (keys in listener.name.sasl_ssl.*): SCRAM-SHA-512 over TLS, no client certificates. */
    private static void addSecuredListener(Properties p, int port, LocalTls tls) {
        String plain = p.getProperty("listeners");
        String controller = plain.substring(plain.indexOf(",CONTROLLER"));
        p.setProperty("listeners", plain.substring(0, plain.indexOf(",CONTROLLER")) + ",SASL_SSL://localhost:" + port + controller);
        p.setProperty("advertised.listeners", p.getProperty("advertised.listeners") + ",SASL_SSL://localhost:" + port);
        p.setProperty("listener.security.protocol.map", p.getProperty("listener.security.protocol.map") + ",SASL_SSL:SASL_SSL");
        p.setProperty("sasl.enabled.mechanisms", SCRAM);
        String l = "listener.name.sasl_ssl.";
        p.setProperty(l + SCRAM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.setProperty(l + "ssl.keystore.location", tls.keystore().toString());
        p.setProperty(l + "ssl.keystore.password", tls.password());
        p.setProperty(l + "ssl.key.password", tls.password());
        p.setProperty(l + "ssl.keystore.type", LocalTls.STORE_TYPE);
        p.setProperty(l + "ssl.client.auth", "none");
    }

    /** StorageTool.execute, not main: main exits the JVM. SCRAM users go into the bootstrap metadata. */
    private static void format(Path configFile, Map<String, String> scramUsers) {
        List<String> args = new ArrayList<>(List.of(
                "format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString()));
        scramUsers.forEach((user, password) -> {
            args.add("--add-scram");
            args.add(SCRAM + "=[name=" + user + ",password=" + password + "]");
        });
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(args.toArray(String[]::new), out);
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

    /** host:port of the SASL_SSL listener; only on a broker from {@link #startSecured}. */
    public String securedBootstrapServers() {
        if (securedBootstrapServers == null) throw new IllegalStateException("this broker has no SASL_SSL listener: start it with startSecured");
        return securedBootstrapServers;
    }

    /**
     * The client settings for the SASL_SSL listener as user with password (a wrong one makes the refused client
     * of the tests): what a {@code kafka.properties} for this broker holds.
     */
    public KafkaClientSettings securedClient(String user, String password) {
        String bootstrap = securedBootstrapServers();
        return KafkaClientSettings.of(bootstrap, SettingsFile.of(securedClientProperties(user, password)));
    }

    /** {@link #securedClient} as the kafka.* keys of a settings file. */
    public Properties securedClientProperties(String user, String password) {
        Properties p = new Properties();
        p.setProperty("kafka.security.protocol", "SASL_SSL");
        p.setProperty("kafka.sasl.mechanism", SCRAM);
        p.setProperty("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        p.setProperty("kafka.ssl.truststore.location", tls.truststore().toString());
        p.setProperty("kafka.ssl.truststore.password", tls.password());
        p.setProperty("kafka.ssl.truststore.type", LocalTls.STORE_TYPE);
        return p;
    }

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
