package org.astropt.stream.flink;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.Topics;

/**
 * Entry point of the pipeline on a Flink cluster:
 * <pre>
 *   flink run -c org.astropt.stream.flink.PipelineJob astropt-flink-jobs-job.jar \
 *       --bootstrap kafka:9092 [--config config/pipeline.properties] [--topics config/topics.properties]
 *       [--kafka-config config/kafka.properties]
 * </pre>
 * The kafka config's kafka.* keys (SASL, TLS: docs/PIPELINE.md "Secured Kafka") go to every source and sink.
 * Locally, {@code astropt pipeline --bootstrap HOST:PORT} runs the same job in a mini cluster.
 */
public final class PipelineJob {

    private PipelineJob() {}

    public static void main(String[] args) throws Exception {
        JobArguments a = JobArguments.parse(args);
        KafkaClientSettings kafka = a.kafka();
        run(StreamExecutionEnvironment.getExecutionEnvironment(), kafka, a.config(), a.topicsFile());
    }

    /**
     * The Kafka connection of a job's command line: the kafka.* keys of --kafka-config FILE (which must exist), or
     * of config/kafka.properties when it exists, else PLAINTEXT.
     */
    public static KafkaClientSettings kafkaSettings(String bootstrap, Path kafkaConfig) throws IOException {
        return kafkaConfig != null ? KafkaClientSettings.read(bootstrap, kafkaConfig)
                : KafkaClientSettings.readIfPresent(bootstrap, KafkaClientSettings.DEFAULT_FILE);
    }

    /**
     * Builds the job against the Kafka of kafka and runs it in env until it ends or is cancelled.
     * config is the settings file (pipeline.*, and decode.* and tokenizer.*); a missing config or topics
     * file means the defaults in code.
     */
    public static void run(StreamExecutionEnvironment env, KafkaClientSettings kafkaClient, Path config, Path topicsFile) throws Exception {
        PipelineSettings settings = PipelineSettings.of(SettingsFile.readIfPresent(config));
        Topics topics = Topics.of(SettingsFile.readIfPresent(topicsFile));
        KafkaEdges kafka = new KafkaEdges(kafkaClient, topics, settings);
        new EmbeddingPipeline(settings).build(env, kafka, kafka.sinks());
        env.execute("astropt pipeline");
    }
}
