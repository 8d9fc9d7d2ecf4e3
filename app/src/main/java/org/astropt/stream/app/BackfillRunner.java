package org.astropt.stream.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.astropt.stream.flink.BackfillJob;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows astropt.models (read_committed, from its start) and runs a backfill ({@link BackfillJob}) on a Flink
 * cluster each time a version starts to serve ({@link BackfillSchedule} decides when); a newer version that
 * serves while one runs cancels it: one embedding space at a time. Completed backfills are remembered in a file
 * ({@code DIR/completed}, one {@code name:version} a line), so a restart does not redo them. {@code astropt demo}
 * runs one on its mini cluster ({@link LocalStack}); {@code astropt backfill --follow} runs one against a Kafka
 * cluster. Stop it with {@link #close()}, which cancels the backfill in flight.
 */
final class BackfillRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillRunner.class);

    /** What a user sees of the backfills; called on the runner's thread. */
    interface Listener {
        default void started(ModelVersion v) {}

        default void completed(ModelVersion v, long objects, Duration took) {}

        /** The backfill of v was cancelled: {@code by} serves now. */
        default void superseded(ModelVersion v, ModelVersion by) {}

        default void failed(ModelVersion v, Throwable cause) {}
    }

    /** A backfill in flight: its version, its job, the job's result to come, when it started. */
    private record Running(ModelVersion version, JobClient job, CompletableFuture<JobExecutionResult> result, long startNanos) {}

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final PipelineSettings settings;
    private final LocalFlink flink;
    private final Path completedFile;
    private final Listener listener;
    private final BackfillSchedule schedule;
    private final ModelVersions versions = new ModelVersions();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private Running running;

    /** Starts following the models topic at once. */
    BackfillRunner(KafkaClientSettings kafka, Topics topics, PipelineSettings settings, LocalFlink flink, Path dir, Listener listener) throws IOException {
        this.kafka = kafka;
        this.topics = topics;
        this.settings = settings;
        this.flink = flink;
        this.listener = listener;
        Files.createDirectories(dir);
        this.completedFile = dir.resolve("completed");
        Set<String> completed = new HashSet<>();
        if (Files.exists(completedFile)) {
            for (String line : Files.readAllLines(completedFile, StandardCharsets.UTF_8)) if (!line.isBlank()) completed.add(line.trim());
        }
        this.schedule = new BackfillSchedule(completed);
        KafkaConsumer<byte[], byte[]> consumer = CommittedRecords.fromStart(kafka, topics.name(Topics.MODELS));
        thread = new Thread(() -> follow(consumer), "astropt-backfill-runner");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow(KafkaConsumer<byte[], byte[]> consumer) {
        try (consumer) {
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) continue;
                    try {
                        versions.add(ModelRegistry.decode(r.value()));
                    } catch (RuntimeException e) {
                        LOG.warn("{}-{}@{}: not a ModelVersion, skipped: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
                    }
                }
                for (String name : versions.names()) {
                    Optional<ModelVersion> due = schedule.next(versions, name);
                    if (due.isPresent()) start(due.get());
                }
                takeFinished();
            }
        } catch (RuntimeException | Error e) {
            if (!stop.get()) LOG.error("the backfill runner stopped", e);
        } finally {
            cancelRunning(null);
        }
    }

    /** Cancels the backfill in flight, if any (a newer version serves), and starts one of v. */
    private void start(ModelVersion v) {
        cancelRunning(v);
        try {
            JobClient job = flink.submitBackfill(kafka, topics, settings, v);
            running = new Running(v, job, job.getJobExecutionResult(), System.nanoTime());
            LOG.info("backfill of {} started: job {}", BackfillJob.label(v), job.getJobID());
            listener.started(v);
        } catch (Exception e) {
            LOG.warn("backfill of {} could not start", BackfillJob.label(v), e);
            listener.failed(v, e);
        }
    }

    private void cancelRunning(ModelVersion by) {
        if (running == null) return;
        Running r = running;
        running = null;
        if (r.result().isDone()) return;
        try {
            r.job().cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("cancelling the backfill of {} failed: {}", BackfillJob.label(r.version()), e.toString());
        }
        LOG.info("backfill of {} cancelled{}", BackfillJob.label(r.version()), by == null ? "" : ": " + BackfillJob.label(by) + " serves now");
        if (by != null) listener.superseded(r.version(), by);
    }

    /** Reports the backfill in flight once its job has ended. */
    private void takeFinished() {
        if (running == null || !running.result().isDone()) return;
        Running r = running;
        running = null;
        Duration took = Duration.ofNanos(System.nanoTime() - r.startNanos());
        try {
            long objects = BackfillJob.embedded(r.result().join());
            String label = BackfillJob.label(r.version());
            schedule.completed(label);
            Files.writeString(completedFile, label + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            LOG.info("backfill of {} completed: {} objects in {} s", label, objects, took.toSeconds());
            listener.completed(r.version(), objects, took);
        } catch (Exception e) {
            LOG.warn("backfill of {} failed", BackfillJob.label(r.version()), e);
            listener.failed(r.version(), e);
        }
    }

    /** Stops following and cancels the backfill in flight (its open transaction is aborted; nothing half-done is read). */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(TimeUnit.SECONDS.toMillis(40));
    }
}
