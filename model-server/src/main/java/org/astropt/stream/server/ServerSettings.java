package org.astropt.stream.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Properties;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.Topics;

/**
 * The model server's settings (config/server.properties documents every key; each has the default
 * below). Decode limits and tokenizer keys of config/astropt.properties may sit in the same file: they
 * reach POST /embed and the thumbnails through {@link #core()}.
 *
 * @param host               address the HTTP server binds; loopback by default, so nothing outside the machine reaches it
 * @param port               HTTP port; 0 picks a free one (tests, several servers on one machine)
 * @param token              bearer token for promote and rollback; required when {@code host} is not a loopback address
 * @param kafka              how the server's Kafka clients connect: server.bootstrap and the kafka.* keys (SASL, TLS:
 *                           {@link KafkaClientSettings}) of the same file
 * @param topics             the topic layout (config/topics.properties)
 * @param modelName          model whose versions /embed serves and promote/rollback change; null: the one on the models topic (one name expected)
 * @param maxIndexSize       objects kept (embedding, scores, flags); the least recently updated leaves first
 * @param thumbnailCacheSize rendered thumbnails kept (about 10 KB each); least recently used leave first
 * @param feedSize           newest objects on the live feed
 * @param flagsKept          newest flags GET /flags and the gallery show
 * @param mapPoints          most points on the embedding map (the newest objects of the current model)
 * @param pcaIntervalMs      the map's PCA is recomputed at most this often
 * @param switchCoverage     /similar and the map move to a new model version once its embeddings cover this share
 *                           of the embedded objects (a backfill gets them there); until then the previous version answers
 * @param core               decode limits and tokenizer settings for uploads and thumbnails
 */
public record ServerSettings(String host, int port, String token, KafkaClientSettings kafka, Topics topics, String modelName,
        int maxIndexSize, int thumbnailCacheSize, int feedSize, int flagsKept, int mapPoints, long pcaIntervalMs,
        double switchCoverage, Properties core) {

    public static final String DEFAULT_FILE = "config/server.properties";
    /** server.switch-coverage: 90%, so a new version answers once a backfill has re-embedded nearly everything. */
    public static final double DEFAULT_SWITCH_COVERAGE = 0.9;

    public ServerSettings {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("server.port " + port + ": must be 0 (any free port) to 65535");
        positive("server.max-index-size", maxIndexSize);
        positive("server.thumbnail-cache-size", thumbnailCacheSize);
        positive("server.feed-size", feedSize);
        positive("server.flags-kept", flagsKept);
        positive("server.map-points", mapPoints);
        if (!(switchCoverage > 0 && switchCoverage <= 1)) {
            throw new IllegalArgumentException("server.switch-coverage " + switchCoverage + ": must be above 0 and at most 1");
        }
        if (token != null && token.isBlank()) token = null;
        if (modelName != null && modelName.isBlank()) modelName = null;
        core = (Properties) core.clone();
    }

    public static ServerSettings defaults() {
        return of(SettingsFile.defaults(), Topics.defaults());
    }

    /** Reads the file (which must exist); see {@link #of(SettingsFile)}. */
    public static ServerSettings load(Path file) throws IOException {
        return of(SettingsFile.read(file));
    }

    /** The settings; their server.topics key (default config/topics.properties, when present) names the topic layout. */
    public static ServerSettings of(SettingsFile s) throws IOException {
        return of(s, Topics.of(SettingsFile.readIfPresent(Path.of(s.string("server.topics", "config/topics.properties")))));
    }

    public static ServerSettings of(Properties p, Topics topics) {
        return of(SettingsFile.of(p), topics);
    }

    /** The keys of config/server.properties and their defaults. */
    public static ServerSettings of(SettingsFile s, Topics topics) {
        AstroptConfig.of(s).checked(); // a bad decode.* or tokenizer.* value fails here, naming the file, not on an upload
        return s.build(() -> new ServerSettings(
                s.string("server.host", "127.0.0.1"),
                s.intValue("server.port", 8080),
                s.string("server.token", null),
                KafkaClientSettings.of(s.string("server.bootstrap", "localhost:9092"), s),
                topics,
                s.string("server.model-name", null),
                s.intValue("server.max-index-size", 200_000),
                s.intValue("server.thumbnail-cache-size", 2_000),
                s.intValue("server.feed-size", 48),
                s.intValue("server.flags-kept", 500),
                s.intValue("server.map-points", 5_000),
                s.longValue("server.pca-interval-ms", 3_000),
                s.doubleValue("server.switch-coverage", DEFAULT_SWITCH_COVERAGE),
                withoutKafkaKeys(s.properties())));
    }

    /** core without the kafka.* keys: they live in {@link #kafka}, which masks their secrets when shown. */
    private static Properties withoutKafkaKeys(Properties p) {
        p.keySet().removeIf(k -> k.toString().startsWith(KafkaClientSettings.PREFIX));
        return p;
    }

    /** Kafka bootstrap servers. */
    public String bootstrap() { return kafka.bootstrapServers(); }

    /** These settings with other bootstrap servers (the same kafka.* client settings). */
    public ServerSettings withBootstrap(String b) {
        return withKafka(kafka.withBootstrap(b));
    }

    public ServerSettings withKafka(KafkaClientSettings k) {
        return new ServerSettings(host, port, token, k, topics, modelName, maxIndexSize, thumbnailCacheSize, feedSize, flagsKept, mapPoints, pcaIntervalMs, switchCoverage, core);
    }

    public ServerSettings withBind(String h, int p) {
        return new ServerSettings(h, p, token, kafka, topics, modelName, maxIndexSize, thumbnailCacheSize, feedSize, flagsKept, mapPoints, pcaIntervalMs, switchCoverage, core);
    }

    public ServerSettings withToken(String t) {
        return new ServerSettings(host, port, t, kafka, topics, modelName, maxIndexSize, thumbnailCacheSize, feedSize, flagsKept, mapPoints, pcaIntervalMs, switchCoverage, core);
    }

    public ServerSettings withTopics(Topics t) {
        return new ServerSettings(host, port, token, kafka, t, modelName, maxIndexSize, thumbnailCacheSize, feedSize, flagsKept, mapPoints, pcaIntervalMs, switchCoverage, core);
    }

    public ServerSettings withModelName(String name) {
        return new ServerSettings(host, port, token, kafka, topics, name, maxIndexSize, thumbnailCacheSize, feedSize, flagsKept, mapPoints, pcaIntervalMs, switchCoverage, core);
    }

    public ServerSettings withLimits(int indexSize, int thumbnails) {
        return new ServerSettings(host, port, token, kafka, topics, modelName, indexSize, thumbnails, feedSize, flagsKept, mapPoints, pcaIntervalMs, switchCoverage, core);
    }

    /** Decode limits and tokenizer settings (the decode.* and tokenizer.* keys of this file). */
    public AstroptConfig coreConfig() {
        return AstroptConfig.of(core);
    }

    /** True when the bind address is a loopback address (127.0.0.0/8, ::1, localhost). */
    public boolean loopback() {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("server.host " + host + ": unknown host", e);
        }
    }

    private static void positive(String key, int v) {
        if (v < 1) throw new IllegalArgumentException(key + " " + v + ": must be at least 1");
    }
}
