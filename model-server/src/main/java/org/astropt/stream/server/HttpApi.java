package org.astropt.stream.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.kafka.ModelRegistryException;
import org.astropt.stream.schemas.ModelVersion;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route of the model server, as one Jetty handler: the JSON API, /metrics, and the dashboard's
 * static files (from the jar's {@code dashboard/} resources). Request and response shapes are listed in
 * docs/SERVER.md. Errors answer {@code {"error": "one line"}} with a 4xx/5xx status.
 */
final class HttpApi extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    static final String REQUESTS = "astropt_server_http_requests_total";
    static final String REQUEST_SECONDS = "astropt_server_http_request_seconds";

    private static final Pattern OBJECT = Pattern.compile("/objects/([^/]+)");
    private static final Pattern IMAGE = Pattern.compile("/objects/([^/]+)/image\\.png");
    private static final Pattern SIMILAR = Pattern.compile("/similar/([^/]+)");
    private static final Pattern PROMOTE = Pattern.compile("/models/(\\d+)/promote");
    private static final Pattern LABEL = Pattern.compile("/objects/([^/]+)/label");
    /** Largest label request body: {label, who, note} is a few hundred bytes. */
    static final int MAX_LABEL_BODY = 16 * 1024;
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/style.css", "style.css");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Points of a training curve sent to the dashboard: more would not show on a 400 px chart. */
    static final int CURVE_POINTS = 400;

    private final ModelServer server;

    HttpApi(ModelServer server) {
        this.server = server;
    }

    /** A response about to be written: status, content type, bytes. */
    private record Reply(int status, String type, byte[] body) {
        static Reply json(int status, Object value) throws IOException {
            return new Reply(status, "application/json", JSON.writeValueAsBytes(value));
        }

        static Reply error(int status, String message) throws IOException {
            return json(status, Map.of("error", message));
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        String[] route = {"other"};
        Reply reply;
        try {
            reply = route(method, path, request, route);
        } catch (ApiException e) {
            reply = errorReply(e.status(), e.getMessage());
        } catch (ModelRegistryException e) {
            reply = errorReply(status(e.kind()), e.getMessage());
        } catch (InvalidCutoutException e) {
            reply = errorReply(422, e.getMessage());
        } catch (IllegalArgumentException e) {
            reply = errorReply(400, e.getMessage());
        } catch (Exception e) {
            LOG.warn("{} {} failed", method, path, e);
            reply = errorReply(500, "internal error: " + e);
        }
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.type());
        // thumbnails do not change once rendered: let the browser keep them while the feed re-polls
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, reply.type().equals("image/png") ? "max-age=600" : "no-store");
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
        Metrics m = server.metrics();
        m.count(REQUESTS, "HTTP requests answered, per route and status.", "route", route[0], "status", String.valueOf(reply.status()));
        m.observe(REQUEST_SECONDS, "Time to answer an HTTP request, per route.", (System.nanoTime() - start) / 1e9, "route", route[0]);
        return true;
    }

    private static Reply errorReply(int status, String message) {
        try {
            return Reply.error(status, message == null ? "error" : message.replace('\n', ' '));
        } catch (IOException e) {
            return new Reply(status, "text/plain", String.valueOf(message).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The registry's refusals as HTTP: no such version, a move the version's status does not allow, Kafka not writable. */
    static int status(ModelRegistryException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNAVAILABLE -> 503;
        };
    }

    private Reply route(String method, String path, Request request, String[] route) throws Exception {
        Fields query = Request.extractQueryParameters(request);
        Matcher m;
        if ("GET".equals(method)) {
            if (STATIC.containsKey(path)) {
                route[0] = "/dashboard";
                return resource(STATIC.get(path));
            }
            if ((m = IMAGE.matcher(path)).matches()) {
                route[0] = "/objects/{id}/image.png";
                byte[] png = server.thumbnails().get(m.group(1));
                if (png == null) throw new ApiException(404, "no thumbnail of " + m.group(1) + ": its cutout was not seen or has left the cache", null);
                return new Reply(200, "image/png", png);
            }
            if ((m = LABEL.matcher(path)).matches()) {
                route[0] = "/objects/{id}/label";
                return Reply.json(200, labelOf(m.group(1)));
            }
            if ((m = OBJECT.matcher(path)).matches()) {
                route[0] = "/objects/{id}";
                return Reply.json(200, object(m.group(1)));
            }
            if ((m = SIMILAR.matcher(path)).matches()) {
                route[0] = "/similar/{id}";
                return Reply.json(200, similar(m.group(1), intParam(query, "k", 10, 1, 1000)));
            }
            route[0] = path;
            switch (path) {
                case "/flags" -> { return Reply.json(200, Map.of("flags", server.catalogue().flags(intParam(query, "limit", 100, 1, 10_000)))); }
                case "/models" -> { return Reply.json(200, models("true".equals(query.getValue("curves")))); }
                case "/metrics" -> { return new Reply(200, "text/plain; version=0.0.4; charset=utf-8", server.metrics().scrape().getBytes(StandardCharsets.UTF_8)); }
                case "/health" -> { return Reply.json(200, Map.of("status", "ok", "caughtUp", server.caughtUp())); }
                case "/api/feed" -> { return Reply.json(200, feed(intParam(query, "limit", 48, 1, 1000))); }
                case "/api/flagged" -> { return Reply.json(200, Map.of("objects", withThumbnails(server.catalogue().flagged(intParam(query, "limit", 24, 1, 1000))))); }
                case "/api/map" -> { return Reply.json(200, server.map().current(System.currentTimeMillis())); }
                case "/api/stats" -> { return Reply.json(200, server.stats()); }
                case "/labels" -> { return Reply.json(200, labels(intParam(query, "limit", 100, 1, 10_000))); }
                default -> { }
            }
        } else if ("POST".equals(method)) {
            if ("/embed".equals(path)) {
                route[0] = "/embed";
                return Reply.json(200, embed(request, query));
            }
            if ((m = LABEL.matcher(path)).matches()) {
                route[0] = "/objects/{id}/label";
                authorise(request, "labelling writes to the labels topic the trainer learns from");
                return Reply.json(200, label(m.group(1), request));
            }
            if ((m = PROMOTE.matcher(path)).matches()) {
                route[0] = "/models/{version}/promote";
                authorise(request);
                long version = Long.parseLong(m.group(1));
                String name = server.modelName();
                if (name == null) throw new ApiException(404, "no version " + version + ": the models topic holds no model yet", null);
                String note = query.getValue("note");
                ModelVersion v = server.registry().promote(name, version, note != null ? note : "promoted through the model server");
                return Reply.json(200, Map.of("published", List.of(modelJson(v, false))));
            }
            if ("/models/rollback".equals(path)) {
                route[0] = "/models/rollback";
                authorise(request);
                List<Map<String, Object>> out = new ArrayList<>();
                String name = server.modelName();
                if (name == null) throw new ApiException(409, "nothing to roll back: the models topic holds no model yet", null);
                String note = query.getValue("note");
                for (ModelVersion v : server.registry().rollback(name, note != null ? note : "rolled back through the model server")) {
                    out.add(modelJson(v, false));
                }
                return Reply.json(200, Map.of("published", out));
            }
        }
        throw new ApiException(404, "no route " + method + " " + path + "; the routes are listed in docs/SERVER.md", null);
    }

    /** Promote and rollback: the server's token as {@code Authorization: Bearer TOKEN}; open only on loopback without a token. */
    private void authorise(Request request) {
        authorise(request, "this endpoint changes the served model");
    }

    /** The server's token as {@code Authorization: Bearer TOKEN}, when it has one; why says what the endpoint changes. */
    private void authorise(Request request, String why) {
        String token = server.settings().token();
        if (token == null) return; // ModelServer refuses to bind beyond loopback without one
        String given = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String expected = "Bearer " + token;
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, why + ": send the server's token as 'Authorization: Bearer TOKEN'", null);
        }
    }

    /**
     * GET /objects/{id}: one object (an alert by its candid) with its vector; an id that is no object but a survey
     * object of which alerts are held (ZTF objectId, Rubin diaObjectId) lists those alerts over time instead:
     * {objectId, count, alerts: [object views, oldest first]}.
     */
    private Map<String, Object> object(String id) {
        ObjectView o = server.catalogue().get(id);
        if (o == null) {
            List<ObjectView> alerts = server.catalogue().alertsOf(id);
            if (!alerts.isEmpty()) {
                Map<String, Object> out = new java.util.LinkedHashMap<>();
                out.put("objectId", id);
                out.put("count", alerts.size());
                out.put("alerts", withThumbnails(alerts));
                return out;
            }
        }
        if (o == null) throw new ApiException(404, "no object " + id + " (not seen, or evicted from the index)", null);
        Map<String, Object> out = withThumbnail(o);
        out.put("vector", server.catalogue().index().vector(id));
        return out;
    }

    /**
     * POST /objects/{id}/label: the JSON body {label, who?, note?} written to the labels topic. An id the server
     * does not hold is labelled too (the trainer needs only the id; the server keeps a bounded index): known says
     * whether it was in the catalogue.
     */
    private Map<String, Object> label(String id, Request request) throws IOException {
        byte[] body;
        try (InputStream in = Request.asInputStream(request)) {
            body = in.readNBytes(MAX_LABEL_BODY + 1);
        }
        if (body.length > MAX_LABEL_BODY) throw new ApiException(413, "a label request is at most " + MAX_LABEL_BODY + " bytes", null);
        Map<String, Object> out = new LinkedHashMap<>(ObjectLabels.json(server.labels().write(id, body)));
        out.put("known", server.catalogue().get(id) != null);
        return out;
    }

    /** GET /objects/{id}/label: the object's latest label, null when nobody labelled it. */
    private Map<String, Object> labelOf(String id) {
        var l = server.labels().of(id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("label", l == null ? null : ObjectLabels.json(l));
        return out;
    }

    /** GET /labels: how many objects are labelled, the artefact kinds the dashboard offers, and the newest labels, newest first. */
    private Map<String, Object> labels(int limit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("labelled", server.labels().size());
        out.put("artefactKinds", org.astropt.stream.core.heads.ObjectLabel.SYNTHETIC_KINDS); // the dashboard's choice; any lower-case kind is accepted
        out.put("labels", server.labels().recent(limit).stream().map(ObjectLabels::json).toList());
        return out;
    }

    private Map<String, Object> similar(String id, int k) {
        ObjectView o = server.catalogue().get(id);
        SimilarityIndex.Space space = o == null ? null : server.catalogue().searchSpaceOf(id);
        long start = System.nanoTime();
        List<SimilarityIndex.Neighbour> found = space == null ? null : server.catalogue().index().nearest(id, space.version(), k);
        long micros = (System.nanoTime() - start) / 1000;
        if (found == null) throw new ApiException(404, "no embedding of " + id + " in the index (not embedded yet, or evicted)", null);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("model", space.version());
        // the version searched and the share of the embedded objects it covers (one space at a time: docs/SERVER.md)
        out.put("version", space.version());
        out.put("coverage", space.coverage());
        // the version whose embedding-stats.json standardised the compared vectors; null: raw cosine (a version without them)
        out.put("standardisedWith", server.catalogue().standardisedWith(space.version()));
        out.put("k", k);
        out.put("searchMicros", micros);
        out.put("neighbours", neighbours(found));
        return out;
    }

    private List<Map<String, Object>> neighbours(List<SimilarityIndex.Neighbour> found) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SimilarityIndex.Neighbour n : found) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", n.id());
            e.put("similarity", n.similarity());
            ObjectView no = server.catalogue().get(n.id());
            if (no != null) {
                e.put("surprise", no.surprise());
                e.put("flags", no.flags());
                e.put("morphology", no.morphology());
            }
            e.put("thumbnail", server.thumbnails().contains(n.id()) ? thumbnailUrl(n.id()) : null);
            out.add(e);
        }
        return out;
    }

    private Map<String, Object> feed(int limit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("embeddingsSeen", server.catalogue().embeddingsSeen());
        out.put("objects", withThumbnails(server.catalogue().feed(limit)));
        return out;
    }

    private List<Map<String, Object>> withThumbnails(List<ObjectView> objects) {
        return objects.stream().map(this::withThumbnail).toList();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> withThumbnail(ObjectView o) {
        Map<String, Object> out = JSON.convertValue(o, LinkedHashMap.class);
        out.put("hardestCells", o.hardestCells()); // boxes on the cutout: the dashboard outlines them on the thumbnail
        out.put("thumbnail", server.thumbnails().contains(o.id()) ? thumbnailUrl(o.id()) : null);
        return out;
    }

    private static String thumbnailUrl(String id) {
        return "/objects/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "/image.png";
    }

    private Map<String, Object> models(boolean curves) {
        String name = server.modelName();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelName", name);
        out.put("promoted", server.serving().map(ModelVersion::getVersion).orElse(null));
        List<Map<String, Object>> versions = new ArrayList<>();
        List<ModelVersion> newestFirst = new ArrayList<>(name == null ? List.of() : server.versions().versions(name));
        java.util.Collections.reverse(newestFirst);
        for (ModelVersion v : newestFirst) versions.add(modelJson(v, curves));
        out.put("versions", versions);
        return out;
    }

    /** A ModelVersion as JSON (Avro's generated classes are not beans), with metrics.json, held-out loss and, if asked, the curve. */
    static Map<String, Object> modelJson(ModelVersion v, boolean curve) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", v.getName());
        out.put("version", v.getVersion());
        out.put("status", v.getStatus().name());
        var a = v.getArchitecture();
        out.put("architecture", Map.of("nLayer", a.getNLayer(), "nHead", a.getNHead(), "nEmbd", a.getNEmbd(),
                "nChan", a.getNChan(), "blockSize", a.getBlockSize(), "patchSize", a.getPatchSize()));
        out.put("weightsUri", v.getWeightsUri());
        out.put("sha256", v.getSha256());
        out.put("sizeBytes", v.getSizeBytes());
        out.put("metrics", v.getMetrics());
        out.put("parentVersion", v.getParentVersion());
        out.put("createdTime", v.getCreatedTime().toEpochMilli());
        out.put("note", v.getNote());
        Optional<ModelFolder> folder = ModelFolder.at(v.getWeightsUri()); // local weights only: no file, no curve
        Map<String, Object> file = folder.map(ModelFolder::metrics).orElse(Map.of());
        out.put("metricsFile", file);
        out.put("heldOutLoss", heldOutLoss(v, file));
        out.put("evaluation", evaluation(v.getMetrics().keySet().stream().anyMatch(k -> k.startsWith(EVAL)) ? v.getMetrics() : file));
        if (curve) out.put("curve", folder.map(f -> f.trainLog(CURVE_POINTS)).orElse(Map.of()));
        return out;
    }

    private static final String EVAL = "eval.";
    private static final String EVAL_PCA = "eval.pca.";

    /**
     * The version's evaluation (the trainer's eval.* metrics, docs/SCIENCE.md) as a compact table: one row per
     * figure of the embedding, {figure, embedding, pca}, pca null where the baseline has none (surprise), plus
     * the number of objects it was measured on; an empty map when the version was not evaluated.
     */
    static Map<String, Object> evaluation(Map<String, ?> metrics) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, ?> e : new java.util.TreeMap<>(metrics).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(EVAL) || key.startsWith(EVAL_PCA) || !(e.getValue() instanceof Number n)) continue;
            String figure = key.substring(EVAL.length());
            if (figure.equals("objects")) {
                out.put("objects", n);
                continue;
            }
            if (!(figure.startsWith("probe_r2.") || figure.startsWith("auc.") || figure.startsWith("precision_at_recall80.")
                    || figure.startsWith("flag_precision.") || figure.startsWith("flag_recall.")
                    || figure.equals("anomaly_precision") || figure.equals("anomaly_recall")
                    || figure.equals("morphology_accuracy") || figure.equals("knn_purity10"))) continue;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("figure", figure);
            row.put("embedding", n);
            Object pca = metrics.get(EVAL_PCA + figure);
            row.put("pca", pca instanceof Number ? pca : null);
            rows.add(row);
        }
        if (rows.isEmpty()) return Map.of();
        out.put("rows", rows);
        return out;
    }

    /** The held-out loss: from the record's metrics, else from metrics.json; null when neither has one. */
    static Double heldOutLoss(ModelVersion v, Map<String, Object> file) {
        Double d = v.getMetrics().get(ModelFolder.HELD_OUT_LOSS);
        if (d != null && Double.isFinite(d)) return d;
        return file.get(ModelFolder.HELD_OUT_LOSS) instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
    }

    private Map<String, Object> embed(Request request, Fields query) throws IOException {
        String id = query.getValue("id");
        if (id == null || id.isBlank()) id = "upload";
        long max = server.settings().coreConfig().decodeLimits().maxBytes();
        byte[] bytes;
        try (InputStream in = Request.asInputStream(request)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        }
        if (bytes.length == 0) throw new ApiException(400, "POST /embed needs the cutout's bytes (FITS, PNG, JPEG or an alert packet) as the request body", null);
        if (bytes.length > max) throw new ApiException(413, id + ": more than " + max + " bytes (decode.max-bytes)", null);
        UploadEmbedder.Result r = server.uploads().embed(id, bytes);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", r.id());
        out.put("modelName", r.modelName());
        out.put("modelVersion", r.modelVersion());
        out.put("surprise", r.surprise());
        out.put("scores", r.scores());
        out.put("hardestTokens", r.scored().hardestTokens());
        out.put("flags", r.scored().flags());
        out.put("tokens", r.tokens());
        out.put("gridSize", r.gridSize());
        out.put("embedding", r.embedding());
        int k = intParam(query, "k", 5, 0, 100);
        out.put("similar", k == 0 ? List.of() : neighbours(server.catalogue().index().nearest(r.embedding(), r.modelKey(), k)));
        out.put("thumbnail", "data:image/png;base64," + Base64.getEncoder().encodeToString(r.thumbnail().png()));
        return out;
    }

    private static int intParam(Fields query, String name, int fallback, int min, int max) {
        String v = query.getValue(name);
        if (v == null || v.isBlank()) return fallback;
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) throw new IllegalArgumentException(name + "=" + v + ": must be " + min + " to " + max);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + v + ": not a whole number");
        }
    }

    private static Reply resource(String name) throws IOException {
        try (InputStream in = HttpApi.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) throw new ApiException(404, "dashboard file " + name + " is missing from the jar", null);
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            return new Reply(200, type, in.readAllBytes());
        }
    }
}
