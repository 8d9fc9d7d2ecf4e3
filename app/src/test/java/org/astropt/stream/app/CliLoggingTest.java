package org.astropt.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's log4j2.xml: warnings go to the log file only; an ERROR also reaches the console, in one line. */
class CliLoggingTest {

    static final String COLLISION = "Name collision: Group already contains a Metric with the name '%s'. Metric will not be reported.[, taskmanager, tm-1, astropt pipeline, %s, 0]";

    @Test
    void warningsGoToTheFileAndAnErrorAlsoToTheConsoleInOneLine(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setProperty("astropt.log.dir", dir.toString());
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        LoggerContext context = new LoggerContext("astropt-cli-logging-test");
        try {
            XmlConfiguration config = new XmlConfiguration(context, ConfigurationSource.fromUri(CliLoggingTest.class.getResource("/log4j2.xml").toURI()));
            context.start(config);
            assertFalse(config.isShutdownHookEnabled(), "a command's own shutdown hook stops its stack, logging as it goes: "
                    + "Log4j's hook must not stop the logging under it (the console then shows Log4j's own warnings)");
            context.getLogger("org.apache.kafka.clients.NetworkClient").warn("node 1 disconnected");
            context.getLogger("org.apache.flink.metrics.MetricGroup").warn(String.format(COLLISION, "pendingCommittables", "tokens-sink: Committer"));
            context.getLogger("org.apache.flink.metrics.MetricGroup").warn(String.format(COLLISION, "numRecordsIn", "embed"));
            context.getLogger("org.astropt.stream.app.DemoCommand").error("the broker stopped answering",
                    new IllegalStateException("connection refused\nby localhost:9092"));
            context.getLogger("org.astropt.stream.app.ServeCommand").error("no model folder at /nowhere");
        } finally {
            context.stop();
            System.setErr(stderr);
            System.clearProperty("astropt.log.dir");
        }

        List<String> consoleLines = console.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, consoleLines.size(), "one console line per error, nothing else: " + consoleLines);
        String error = consoleLines.get(0);
        assertTrue(error.contains("ERROR DemoCommand - the broker stopped answering (connection refused by localhost:9092)"), error);
        assertTrue(error.contains(dir.resolve("astropt.log").toString()), "names the log file: " + error);
        assertTrue(consoleLines.get(1).endsWith("ERROR ServeCommand - no model folder at /nowhere [" + dir.resolve("astropt.log") + "]"),
                consoleLines.get(1));

        String file = Files.readString(dir.resolve("astropt.log"));
        assertTrue(file.contains("WARN  [main] org.apache.kafka.clients.NetworkClient - node 1 disconnected"), file);
        assertTrue(file.contains("the name 'numRecordsIn'"), "a collision of our own naming stays in the file: " + file);
        assertFalse(file.contains("pendingCommittables"), "Flink 2.2's own per-checkpoint collision is dropped: " + file);
        assertTrue(file.contains("java.lang.IllegalStateException: connection refused"), "the stack trace is in the file: " + file);
    }
}
