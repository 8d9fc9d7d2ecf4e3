package org.astropt.stream.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.astropt.stream.flink.EmbeddingPipeline;
import org.astropt.stream.flink.PipelineJob;
import org.astropt.stream.kafka.KafkaClientSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code astropt pipeline --bootstrap HOST:PORT [--config FILE] [--topics FILE]}: the streaming job
 * (PipelineJob, the same topology as {@code flink run}) in a Flink mini cluster inside this JVM, against
 * a Kafka that already has the topics. Runs until interrupted.
 */
@Command(name = "pipeline", description = "Run the streaming pipeline locally against an existing Kafka (until Ctrl-C).")
final class PipelineCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--config", defaultValue = "config/pipeline.properties", paramLabel = "FILE",
            description = "Settings file: pipeline.*, and decode.* and tokenizer.* "
                    + "(default ${DEFAULT-VALUE}; defaults in code when absent).")
    Path config;

    @Option(names = "--topics", defaultValue = "config/topics.properties", paramLabel = "FILE",
            description = "Topic names (default ${DEFAULT-VALUE}; defaults in code when absent).")
    Path topics;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        KafkaClientSettings client = kafka.connect(bootstrap);
        spec.commandLine().getOut().printf("pipeline against %s (settings %s, topics %s); Ctrl-C stops it%n", client, config, topics);
        spec.commandLine().getOut().flush();
        PipelineJob.run(StreamExecutionEnvironment.getExecutionEnvironment(EmbeddingPipeline.localClusterConfiguration()),
                client, config, topics);
        return 0;
    }
}
