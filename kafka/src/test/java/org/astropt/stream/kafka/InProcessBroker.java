package org.astropt.stream.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process KRaft broker ({@link LocalKafkaBroker}, the default topics) for all the tests of a class: started
 * before the first, closed after the last, its log folder deleted. Other modules' integration tests get it from
 * this module's test-jar.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final InProcessBroker kafka = new InProcessBroker();
 * ...
 * TokenFeed.sendTokens(kafka.broker(), topics, 3, 0, 100);
 * </pre>
 */
public final class InProcessBroker implements BeforeAllCallback, AfterAllCallback {

    private Path dir;
    private LocalKafkaBroker broker;

    /** The running broker; only between the class's first and last test. */
    public LocalKafkaBroker broker() {
        if (broker == null) throw new IllegalStateException("the in-process broker runs only while the test class does");
        return broker;
    }

    /** The running broker's bootstrap servers. */
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("kafka-" + context.getRequiredTestClass().getSimpleName());
        broker = LocalKafkaBroker.start(dir, 0, Topics.defaults());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (broker != null) broker.close();
        } finally {
            broker = null;
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
