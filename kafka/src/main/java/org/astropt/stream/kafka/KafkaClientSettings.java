package org.astropt.stream.kafka;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.astropt.stream.core.config.SettingsFile;

/**
 * How every Kafka client of the project connects to the brokers: the bootstrap servers, and the client
 * settings of the {@code kafka.*} keys (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.*,
 * ssl.keystore.*, ...), which go verbatim, without the prefix, into every producer, consumer and admin client
 * and every Flink Kafka source and sink. One place, so that a broker that requires SASL and TLS (the alert
 * brokers do) is one settings file: {@code config/kafka.properties}, or {@code --kafka-config FILE} where a
 * command takes {@code --bootstrap}. Without {@code kafka.*} keys the clients speak PLAINTEXT, as before.
 *
 * <pre>{@code
 * KafkaClientSettings kafka = KafkaClientSettings.read("broker:9093", Path.of("config/kafka.properties"));
 * new KafkaConsumer<>(kafka.config(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "g")), ...);
 * }</pre>
 *
 * Secrets (sasl.jaas.config, every *password*, private keys) never appear in {@link #toString()}: they are
 * shown as {@code ****}. Serializable, so a Flink job can carry it.
 */
public final class KafkaClientSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The prefix of the client keys in a settings file. */
    public static final String PREFIX = "kafka.";
    /** The file the commands read when no --kafka-config is given (its absence means PLAINTEXT). */
    public static final Path DEFAULT_FILE = Path.of("config", "kafka.properties");
    /** What a secret's value is shown as. */
    public static final String MASK = "****";

    private final String bootstrapServers;
    /** Client keys without the prefix, sorted. */
    private final TreeMap<String, String> client;

    private KafkaClientSettings(String bootstrapServers, Map<String, String> client) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are empty: give HOST:PORT[,HOST:PORT...]");
        }
        this.bootstrapServers = bootstrapServers.trim();
        this.client = new TreeMap<>(client);
    }

    /** No client settings: PLAINTEXT to bootstrap (the tests and the local stack). */
    public static KafkaClientSettings plaintext(String bootstrapServers) {
        return new KafkaClientSettings(bootstrapServers, Map.of());
    }

    /**
     * The {@code kafka.*} keys of settings, for the brokers at bootstrapServers. A one-line error names the file
     * and key when kafka.bootstrap.servers is set (the servers come from --bootstrap or the component's own key)
     * or kafka.security.protocol is not one Kafka knows.
     */
    public static KafkaClientSettings of(String bootstrapServers, SettingsFile settings) {
        Map<String, String> keys = settings.withPrefix(PREFIX);
        String where = settings.source() == null ? "" : settings.source() + ": ";
        if (keys.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException(where + PREFIX + "bootstrap.servers is not read here: the bootstrap servers "
                    + "come from --bootstrap (or the component's bootstrap key); remove it");
        }
        String protocol = keys.get("security.protocol");
        if (protocol != null) {
            try {
                SecurityProtocol.forName(protocol.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                String known = Arrays.stream(SecurityProtocol.values()).map(p -> p.name).collect(Collectors.joining(", "));
                throw new IllegalArgumentException(where + PREFIX + "security.protocol = '" + protocol + "' is not one of " + known, e);
            }
        }
        keys.values().removeIf(String::isEmpty); // an empty key keeps Kafka's default, as everywhere in config/
        return new KafkaClientSettings(bootstrapServers, keys);
    }

    /** The {@code kafka.*} keys of a file that must exist (the user named it with --kafka-config). */
    public static KafkaClientSettings read(String bootstrapServers, Path file) throws IOException {
        return of(bootstrapServers, SettingsFile.read(file));
    }

    /** The {@code kafka.*} keys of file when it exists, else PLAINTEXT (a command's default config/kafka.properties). */
    public static KafkaClientSettings readIfPresent(String bootstrapServers, Path file) throws IOException {
        return of(bootstrapServers, SettingsFile.readIfPresent(file));
    }

    /** The same client settings for other bootstrap servers. */
    public KafkaClientSettings withBootstrap(String bootstrapServers) {
        return new KafkaClientSettings(bootstrapServers, client);
    }

    public String bootstrapServers() { return bootstrapServers; }

    /** The client settings without the prefix (no bootstrap.servers), e.g. security.protocol=SASL_SSL. */
    public Map<String, String> clientSettings() { return Collections.unmodifiableMap(client); }

    /** True when a security protocol other than PLAINTEXT is set. */
    public boolean secured() {
        return !client.getOrDefault("security.protocol", "PLAINTEXT").equalsIgnoreCase("PLAINTEXT");
    }

    /**
     * A client's configuration: bootstrap.servers, the client settings, then the client's own keys (group id,
     * isolation level, transactional id...), which win where a key is in both.
     */
    public Map<String, Object> config(Map<String, ?> own) {
        Map<String, Object> out = new HashMap<>(client);
        out.put("bootstrap.servers", bootstrapServers);
        out.putAll(own);
        return out;
    }

    /** {@link #config} with no keys of the client's own. */
    public Map<String, Object> config() {
        return config(Map.of());
    }

    /** bootstrap.servers and the client settings as Properties (Flink's KafkaSource and KafkaSink builders take these). */
    public Properties properties() {
        Properties p = new Properties();
        p.putAll(client);
        p.setProperty("bootstrap.servers", bootstrapServers);
        return p;
    }

    /** True for a key whose value must never be shown: the JAAS config, passwords, private keys, secrets. */
    public static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.endsWith(".key")
                || k.contains("credential") || k.contains("token");
    }

    /** The settings with every secret masked: what logs and error messages may show. */
    public Map<String, String> described() {
        Map<String, String> out = new TreeMap<>();
        client.forEach((k, v) -> out.put(k, secret(k) ? MASK : v));
        return out;
    }

    /** e.g. {@code broker:9093 (sasl.jaas.config=****, sasl.mechanism=SCRAM-SHA-512, security.protocol=SASL_SSL)}. */
    @Override
    public String toString() {
        if (client.isEmpty()) return bootstrapServers + " (PLAINTEXT)";
        return bootstrapServers + " " + described().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "(", ")"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaClientSettings k && k.bootstrapServers.equals(bootstrapServers) && k.client.equals(client);
    }

    @Override
    public int hashCode() {
        return bootstrapServers.hashCode() * 31 + client.hashCode();
    }
}
