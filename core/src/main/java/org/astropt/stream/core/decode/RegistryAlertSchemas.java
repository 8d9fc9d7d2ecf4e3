package org.astropt.stream.core.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Writer schemas of Confluent-framed alerts from a schema registry over the Confluent REST API
 * ({@code GET <url>/schemas/ids/<id>} answering {@code {"schema": "<Avro schema JSON>"}}, as Confluent's
 * Schema Registry, Apicurio's ccompat API and Karapace serve it), each id fetched once and cached for good
 * (an id names one schema forever), with another lookup (a folder of {@code <id>.avsc}) asked when the
 * registry does not know an id or cannot be reached.
 *
 * <p>A small client over java.net.http rather than a library: Confluent's own client is not on Maven
 * Central, and the other registries' clients bring their own frameworks for what is one GET. Basic
 * authentication ({@code user:password}, Confluent's {@code basic.auth.user.info}) is sent when given.
 * Thread-safe.
 */
public final class RegistryAlertSchemas implements AlertSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String authorization;
    private final AlertSchemas fallback;
    private final Duration timeout;
    private final HttpClient http;
    private final Map<Integer, Schema> cache = new ConcurrentHashMap<>();

    /**
     * @param url          the registry's base URL (http or https), e.g. {@code https://registry.example.org}
     * @param userInfo     {@code user:password} for basic authentication, or null
     * @param fallback     asked when the registry does not answer an id ({@link AlertSchemas#none()} for none)
     * @param timeout      per request
     */
    public RegistryAlertSchemas(String url, String userInfo, AlertSchemas fallback, Duration timeout) {
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.authorization = userInfo == null || userInfo.isBlank() ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.fallback = fallback == null ? AlertSchemas.none() : fallback;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Optional<Schema> schema(int id) {
        Schema known = cache.get(id);
        if (known != null) return Optional.of(known);
        Optional<Schema> fetched = fetch(id).or(() -> fallback.schema(id));
        fetched.ifPresent(s -> cache.putIfAbsent(id, s));
        return fetched;
    }

    /** The registry's schema of this id; empty when it answers 404 or cannot be reached (the fallback is asked). */
    private Optional<Schema> fetch(int id) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("schemas/ids/" + id)).timeout(timeout)
                .header("Accept", "application/vnd.schemaregistry.v1+json, application/json").GET();
        if (authorization != null) request.header("Authorization", authorization);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        if (response.statusCode() != 200) return Optional.empty();
        try {
            JsonNode body = JSON.readTree(response.body());
            JsonNode type = body.get("schemaType");
            if (type != null && !"AVRO".equals(type.asText())) {
                throw new IllegalStateException("schema registry " + base + " holds schema id " + id + " as " + type.asText()
                        + ", not AVRO");
            }
            return Optional.of(new Schema.Parser().parse(body.get("schema").asText()));
        } catch (java.io.IOException | SchemaParseException | NullPointerException e) {
            throw new IllegalStateException("schema registry " + base + " answered schema id " + id
                    + " with no Avro schema (" + OneLine.of(e) + ")", e);
        }
    }
}
