package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.astropt.stream.kafka.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsTest {

    @Test
    void theShippedFileBindsLoopbackWithoutAToken() throws Exception {
        ServerSettings s = ServerSettings.load(Path.of("..", ServerSettings.DEFAULT_FILE));
        assertEquals("127.0.0.1", s.host());
        assertEquals(8080, s.port());
        assertTrue(s.loopback());
        assertNull(s.token(), "an empty server.token means none");
        assertEquals(200_000, s.maxIndexSize());
        assertEquals("astropt.embeddings", s.topics().name(Topics.EMBEDDINGS));
    }

    @Test
    void badValuesNameTheirKey() {
        Properties p = new Properties();
        p.setProperty("server.port", "eighty");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerSettings.of(p, Topics.defaults()));
        assertEquals("server.port = 'eighty' is not a whole number", e.getMessage());
        p.setProperty("server.port", "8080");
        p.setProperty("server.thumbnail-cache-size", "0");
        e = assertThrows(IllegalArgumentException.class, () -> ServerSettings.of(p, Topics.defaults()));
        assertTrue(e.getMessage().startsWith("server.thumbnail-cache-size 0"), e.getMessage());
        assertFalse(ServerSettings.defaults().withBind("0.0.0.0", 0).loopback());
    }

    @Test
    void aBadValueInAFileNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("server.properties"), "server.feed-size=0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerSettings.load(file));
        assertEquals(file + ": server.feed-size 0: must be at least 1", e.getMessage());
        Files.writeString(file, "server.switch-coverage=1.5\n");
        e = assertThrows(IllegalArgumentException.class, () -> ServerSettings.load(file));
        assertEquals(file + ": server.switch-coverage 1.5: must be above 0 and at most 1", e.getMessage());
        Files.writeString(file, "decode.max-bytes=lots\n");
        e = assertThrows(IllegalArgumentException.class, () -> ServerSettings.load(file));
        assertEquals(file + ": decode.max-bytes = 'lots' is not a whole number", e.getMessage(), "core keys are checked on load");
    }

    @Test
    void kafkaKeysReachEveryClientAndNoSecretIsShown() {
        Properties p = new Properties();
        p.setProperty("server.bootstrap", "broker:9094");
        p.setProperty("kafka.security.protocol", "SASL_SSL");
        p.setProperty("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"pw-123\";");
        ServerSettings s = ServerSettings.of(p, Topics.defaults()).withBootstrap("other:9094");
        assertEquals("other:9094", s.kafka().config().get("bootstrap.servers"));
        assertEquals("SASL_SSL", s.kafka().config().get("security.protocol"), "kept across withBootstrap");
        assertTrue(String.valueOf(s.kafka().config().get("sasl.jaas.config")).contains("pw-123"));
        assertFalse(s.toString().contains("pw-123"), s.toString());
    }
}
