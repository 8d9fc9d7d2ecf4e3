package org.astropt.stream.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.configuration.Configuration;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.flink.BackfillJob;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelVersion;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code astropt backfill --bootstrap HOST:PORT (--model NAME:VERSION | --follow)}: re-embeds the compacted token
 * topic with one PROMOTED version ({@link BackfillJob}, the pipeline's embed stage in a bounded job) in a Flink
 * mini cluster inside this JVM, against a Kafka that has the topics (Compose, a real cluster), and prints how
 * many objects it embedded. With --follow it keeps running and backfills each version that starts to serve, as
 * {@code astropt demo} does ({@link BackfillRunner}). On a Flink cluster, {@code flink run -c
 * org.astropt.stream.flink.BackfillJob} runs the same job.
 */
@Command(name = "backfill", description = "Re-embed the token topic with one model version (or, with --follow, with each version that starts to serve).")
final class BackfillCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", defaultValue = "localhost:9092", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Mixin
    KafkaOptions kafka;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Option(names = "--model", paramLabel = "NAME:VERSION", description = "The PROMOTED version to backfill, e.g. astropt:4.")
        String model;

        @Option(names = "--follow", description = "Follow the models topic and backfill each version that starts to serve, until Ctrl-C.")
        boolean follow;
    }

    @Option(names = "--config", defaultValue = "config/pipeline.properties", paramLabel = "FILE",
            description = "Settings file: pipeline.* (batch size, parallelism, transactional id prefix) "
                    + "(default ${DEFAULT-VALUE}; defaults in code when absent).")
    Path config;

    @Option(names = "--topics", defaultValue = "config/topics.properties", paramLabel = "FILE",
            description = "Topic names (default ${DEFAULT-VALUE}; defaults in code when absent).")
    Path topicsFile;

    @Option(names = "--state", defaultValue = "data/backfill", paramLabel = "DIR",
            description = "With --follow: where completed backfills are remembered (default ${DEFAULT-VALUE}).")
    Path state;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PipelineSettings settings = PipelineSettings.of(SettingsFile.readIfPresent(config));
        Topics topics = Topics.of(SettingsFile.readIfPresent(topicsFile));
        PrintWriter out = spec.commandLine().getOut();
        if (which.follow) return follow(settings, topics, out);
        KafkaClientSettings client = kafka.connect(bootstrap);
        ModelVersion v = BackfillJob.find(client, topics, which.model);
        out.printf("backfill %s v%d: re-embedding %s at %s ...%n", v.getName(), v.getVersion(), topics.name(Topics.TOKENS), bootstrap);
        out.flush();
        long start = System.nanoTime();
        try (LocalFlink flink = LocalFlink.start(0, settings.parallelism(), new Configuration())) {
            JobClient job = flink.submitBackfill(client, topics, settings, v);
            JobExecutionResult result = job.getJobExecutionResult().get();
            out.printf(Locale.ROOT, "backfill %s v%d done: %d objects in %d s%n", v.getName(), v.getVersion(),
                    BackfillJob.embedded(result), Duration.ofNanos(System.nanoTime() - start).toSeconds());
        }
        return 0;
    }

    private int follow(PipelineSettings settings, Topics topics, PrintWriter out) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "astropt-backfill-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("following %s at %s: a backfill for each version that starts to serve; Ctrl-C stops%n", topics.name(Topics.MODELS), bootstrap);
        out.flush();
        try (LocalFlink flink = LocalFlink.start(0, settings.parallelism(), new Configuration());
                BackfillRunner runner = new BackfillRunner(kafka.connect(bootstrap), topics, settings, flink, state, new BackfillRunner.Listener() {
                    @Override
                    public void started(ModelVersion v) {
                        out.printf("backfill %s v%d started%n", v.getName(), v.getVersion());
                        out.flush();
                    }

                    @Override
                    public void completed(ModelVersion v, long objects, Duration took) {
                        out.printf(Locale.ROOT, "backfill %s v%d done: %d objects in %d s%n", v.getName(), v.getVersion(), objects, took.toSeconds());
                        out.flush();
                    }

                    @Override
                    public void superseded(ModelVersion v, ModelVersion by) {
                        out.printf("backfill %s v%d cancelled: v%d serves now%n", v.getName(), v.getVersion(), by.getVersion());
                        out.flush();
                    }

                    @Override
                    public void failed(ModelVersion v, Throwable cause) {
                        out.printf("backfill %s v%d failed: %s%n", v.getName(), v.getVersion(), String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
                        out.flush();
                    }
                })) {
            stop.await();
        }
        return 0;
    }
}
