package org.astropt.stream.bench;

import java.nio.file.Path;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;

/**
 * The in-process KRaft broker on its own, for benchmarks that keep it out of the measured JVM
 * (PipelineBenchmark with -Dastropt.bench.bootstrap): {@code BrokerMain DATA_DIR PORT}; runs until killed.
 */
public final class BrokerMain {

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: BrokerMain DATA_DIR PORT");
            System.exit(2);
        }
        LocalKafkaBroker broker = LocalKafkaBroker.start(Path.of(args[0]), Integer.parseInt(args[1]), Topics.defaults().withPrefix("unused."));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        System.out.println("broker at " + broker.bootstrapServers());
        Thread.currentThread().join();
    }
}
