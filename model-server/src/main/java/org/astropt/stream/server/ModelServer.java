package org.astropt.stream.server;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelVersion;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The model server: an HTTP API and dashboard over an in-memory picture of the stream, fed from the
 * embeddings, flags, models and cutouts topics. In-process (the local stack, tests):
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start(ServerSettings.defaults().withBootstrap(kafka.bootstrapServers()).withBind("127.0.0.1", 0))) {
 *     server.awaitCaughtUp(30, TimeUnit.SECONDS);
 *     URI dashboard = server.uri(); // http://127.0.0.1:PORT/
 * }
 * }</pre>
 *
 * From the command line: {@code astropt serve --bootstrap HOST:PORT [--port P] [--host H]}. It binds to
 * loopback by default; bound anywhere else it refuses to start without a token, which promote,
 * rollback and labelling then require.
 */
public final class ModelServer implements AutoCloseable {

    /** HTTP worker threads: the API is light (index scans, small JSON); uploads embed one at a time. */
    static final int HTTP_THREADS = 16;

    private final ServerSettings settings;
    private final Metrics metrics = new Metrics();
    private final ObjectCatalogue catalogue;
    private final ModelVersions versions = new ModelVersions();
    private final Thumbnails thumbnails;
    private final PipelineStats pipelineStats = new PipelineStats();
    private final EmbeddingMap map;
    private final UploadEmbedder uploads;
    private final ModelRegistry registry;
    private final TopicReader reader;
    private final ObjectLabels labels;
    private final Server http;
    private final ServerConnector connector;

    private ModelServer(ServerSettings settings) {
        this.settings = settings;
        this.catalogue = new ObjectCatalogue(settings.maxIndexSize(), settings.feedSize(), settings.flagsKept(), settings.switchCoverage());
        this.thumbnails = new Thumbnails(settings.thumbnailCacheSize());
        this.map = new EmbeddingMap(catalogue, settings.mapPoints(), settings.pcaIntervalMs());
        AstroptConfig core = settings.coreConfig();
        this.uploads = new UploadEmbedder(this::serving, new CutoutDecoder(core.decodeLimits()), new PatchTokenizer(core.tokenizerSettings()));
        // its own transactional id: two servers on one topic never fence each other
        this.registry = ModelRegistry.following(settings.kafka(), settings.topics().name(Topics.MODELS), versions,
                "astropt-model-server-" + UUID.randomUUID());
        this.reader = new TopicReader(settings, catalogue, versions, thumbnails, pipelineStats, metrics);
        this.labels = new ObjectLabels(settings.kafka(), settings.topics().name(Topics.LABELS));
        QueuedThreadPool pool = new QueuedThreadPool(HTTP_THREADS, 2);
        pool.setName("astropt-server-http");
        pool.setDaemon(true);
        this.http = new Server(pool);
        this.connector = new ServerConnector(http);
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        http.addConnector(connector);
        http.setHandler(new HttpApi(this));
        http.setStopTimeout(2_000);
        registerGauges();
    }

    /**
     * Starts reading the topics and serving HTTP; returns once both run (the topics may still be replaying:
     * see {@link #awaitCaughtUp}). Fails, with nothing left running, when the topics do not exist, the port
     * is taken, or the bind address is not loopback and no token is set.
     */
    public static ModelServer start(ServerSettings settings) throws Exception {
        if (settings.token() == null && !settings.loopback()) {
            throw new IllegalArgumentException("server.host " + settings.host() + " is reachable from other machines: set server.token"
                    + " (promote and rollback change the served model), or bind 127.0.0.1");
        }
        ModelServer s = new ModelServer(settings);
        try {
            s.reader.start();
            s.labels.start();
            s.http.start();
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    /** The bound port (the real one when the settings asked for 0). */
    public int port() { return connector.getLocalPort(); }

    /** The dashboard's address, e.g. http://127.0.0.1:8080/. */
    public URI uri() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** Waits until the server has read everything that was on the topics when it started. */
    public boolean awaitCaughtUp(long timeout, TimeUnit unit) throws InterruptedException {
        return reader.awaitCaughtUp(timeout, unit);
    }

    boolean caughtUp() {
        try {
            return reader.awaitCaughtUp(0, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    ServerSettings settings() { return settings; }
    Metrics metrics() { return metrics; }
    ObjectCatalogue catalogue() { return catalogue; }
    /** Every model version on the models topic, kept current by the topic reader. */
    ModelVersions versions() { return versions; }

    /** The model this server serves: server.model-name, else the last name on the models topic; null before any record. */
    String modelName() { return settings.modelName() != null ? settings.modelName() : versions.lastName(); }

    /** The serving (highest PROMOTED) version of the served model. */
    Optional<ModelVersion> serving() {
        String name = modelName();
        return name == null ? Optional.empty() : versions.serving(name);
    }

    Thumbnails thumbnails() { return thumbnails; }
    EmbeddingMap map() { return map; }
    UploadEmbedder uploads() { return uploads; }
    ModelRegistry registry() { return registry; }
    /** People's labels: written to and read back from the labels topic. */
    ObjectLabels labels() { return labels; }

    /** The dashboard's numbers: what the server holds, what it has read, and the pipeline's pace. */
    Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("objects", catalogue.size());
        out.put("indexed", catalogue.index().size());
        out.put("thumbnails", thumbnails.size());
        out.put("embeddingsSeen", catalogue.embeddingsSeen());
        out.put("flagsSeen", metrics.counter(TopicReader.CONSUMED, "topic", settings.topics().name(Topics.FLAGS)));
        out.put("modelName", modelName());
        out.put("promoted", serving().map(ModelVersion::getVersion).orElse(null));
        out.put("currentModel", catalogue.latestModel());
        SimilarityIndex.Space answering = catalogue.searchSpace();
        out.put("searchVersion", answering == null ? null : answering.version());
        out.put("searchCoverage", answering == null ? null : answering.coverage());
        Map<String, Long> consumed = new LinkedHashMap<>();
        for (String role : new String[] {Topics.CUTOUTS, Topics.EMBEDDINGS, Topics.FLAGS, Topics.MODELS}) {
            String topic = settings.topics().name(role);
            consumed.put(role, metrics.counter(TopicReader.CONSUMED, "topic", topic));
        }
        out.put("consumed", consumed);
        out.put("caughtUp", caughtUp());
        out.put("pipeline", pipelineStats.snapshot(System.currentTimeMillis()));
        return out;
    }

    private void registerGauges() {
        metrics.gauge("astropt_server_index_objects", "Embeddings in the similarity index.", () -> (double) catalogue.index().size(), true);
        metrics.gauge("astropt_server_objects", "Objects the server knows (embedded or only seen as a cutout).", () -> (double) catalogue.size(), true);
        metrics.gauge("astropt_server_thumbnails", "Thumbnails in the cache.", () -> (double) thumbnails.size(), true);
        metrics.gauge("astropt_server_model_versions", "Model versions on the models topic.", () -> (double) versions.size(), true);
        metrics.gauge("astropt_server_promoted_version", "The highest PROMOTED version of the served model (-1: none).", () -> serving().map(v -> (double) v.getVersion()).orElse(-1.0), true);
        metrics.gauge("astropt_pipeline_embeddings_per_second", "Embeddings read per second over the last 10 s.",
                () -> (Double) pipelineStats.snapshot(System.currentTimeMillis()).get("embeddingsPerSecond"), true);
    }

    /** Stops HTTP, then the consumer, then the producer and the upload model; safe to call twice. */
    @Override
    public void close() throws Exception {
        Exception first = null;
        try {
            if (http.isStarted() || http.isStarting()) http.stop();
        } catch (Exception e) {
            first = e;
        }
        try {
            reader.close();
        } catch (Exception e) {
            if (first == null) first = e;
        }
        try {
            labels.close();
        } catch (Exception e) {
            if (first == null) first = e;
        }
        registry.close();
        uploads.close();
        if (first != null) throw first;
    }
}
