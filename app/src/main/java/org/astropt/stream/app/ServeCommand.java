package org.astropt.stream.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.server.ModelServer;
import org.astropt.stream.server.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code astropt serve --bootstrap HOST:PORT [--port P] [--host H] [--config FILE]}: the model server (HTTP
 * API and dashboard) against a Kafka that has the topics, until Ctrl-C. Settings come from
 * config/server.properties; the options win over it. The promote/rollback token comes from
 * server.token or the ASTROPT_SERVER_TOKEN environment variable (never from the command line, where
 * other users of the machine could read it).
 */
@Command(name = "serve", description = "Run the model server: HTTP API and dashboard over the embeddings, flags, models "
        + "and cutouts topics (until Ctrl-C).")
final class ServeCommand implements Callable<Integer> {

    static final String TOKEN_ENV = "ASTROPT_SERVER_TOKEN";

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--port", paramLabel = "P", description = "HTTP port (default: server.port, 8080; 0 picks a free one).")
    Integer port;

    @Option(names = "--host", paramLabel = "H", description = "Address to bind (default: server.host, 127.0.0.1). "
            + "Any non-loopback address needs a token (server.token or $" + TOKEN_ENV + ").")
    String host;

    @Option(names = "--config", defaultValue = ServerSettings.DEFAULT_FILE, paramLabel = "FILE",
            description = "Settings file: server.*, and decode.* and tokenizer.* for POST /embed "
                    + "(default ${DEFAULT-VALUE}; defaults in code when absent).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServerSettings s = ServerSettings.of(kafka.over(SettingsFile.readIfPresent(config)));
        s = s.withBootstrap(bootstrap).withBind(host != null ? host : s.host(), port != null ? port : s.port());
        String token = System.getenv(TOKEN_ENV);
        if (s.token() == null && token != null && !token.isBlank()) s = s.withToken(token.trim());
        ModelServer server = ModelServer.start(s);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("astropt serve: stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "astropt-serve-stop"));
        spec.commandLine().getOut().printf("model server on %s (dashboard; API: /objects/{id}, /similar/{id}, /flags, /models, "
                + "/metrics, POST /embed) reading %s; Ctrl-C stops it%n", server.uri(), s.kafka());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
