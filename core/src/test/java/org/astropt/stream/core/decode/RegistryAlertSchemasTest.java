package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema-registry client against a tiny in-test HTTP server speaking the one endpoint it uses
 * ({@code GET /schemas/ids/{id}} of the Confluent REST API): no registry server can run on this build machine
 * (Confluent's is not on Maven Central; Apicurio's needs its own application server).
 */
class RegistryAlertSchemasTest {

    @Test
    void fetchesOnceCachesSendsBasicAuthAndFallsBackToTheFolder(@TempDir Path dir) throws Exception {
        Schema rubin = AlertPackets.ZTF_LIKE; // any record schema will do
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/schemas/ids/", exchange -> {
            requests.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            boolean known = exchange.getRequestURI().getPath().endsWith("/1100");
            byte[] body = (known ? new ObjectMapper().writeValueAsString(Map.of("schema", rubin.toString()))
                    : "{\"error_code\":40403,\"message\":\"Schema not found\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(known ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Files.writeString(dir.resolve("7.avsc"),
                    "{\"type\":\"record\",\"name\":\"local\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            AlertSchemas schemas = new RegistryAlertSchemas(url, "alice:secret", AlertSchemas.folder(dir), Duration.ofSeconds(5));
            assertEquals(Optional.of(rubin), schemas.schema(1100));
            assertEquals(Optional.of(rubin), schemas.schema(1100));
            assertEquals("local", schemas.schema(7).orElseThrow().getName()); // the registry says 404: the folder knows it
            assertEquals(Optional.empty(), schemas.schema(8));
            String auth = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("/schemas/ids/1100 " + auth, "/schemas/ids/7 " + auth, "/schemas/ids/8 " + auth), requests);
        } finally {
            server.stop(0);
        }
        // the registry gone: the folder still answers
        AlertSchemas offline = new RegistryAlertSchemas("http://127.0.0.1:1", null, AlertSchemas.folder(dir), Duration.ofSeconds(2));
        assertTrue(offline.schema(7).isPresent());
    }
}
