package org.astropt.stream.app;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.astropt.stream.flink.BackfillJob;
import org.astropt.stream.flink.EmbeddingPipeline;
import org.astropt.stream.flink.KafkaEdges;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelVersion;

/**
 * A Flink mini cluster in this JVM with its web UI (flink-runtime-web), running the same pipeline job
 * that {@code flink run} submits to a real cluster. Jobs are submitted through the cluster's REST
 * endpoint, as a client would; their classes are already on this JVM's class path.
 */
public final class LocalFlink implements AutoCloseable {

    private final MiniCluster cluster;
    private final URI webUi;
    private final List<JobClient> jobs = new ArrayList<>();

    private LocalFlink(MiniCluster cluster, URI webUi) {
        this.cluster = cluster;
        this.webUi = webUi;
    }

    /**
     * @param uiPort web UI and REST port on localhost; 0 picks a free one
     * @param extra  settings laid over the pipeline's own cluster settings (network buffers...)
     */
    static LocalFlink start(int uiPort, int slots, Configuration extra) throws Exception {
        Configuration conf = EmbeddingPipeline.localClusterConfiguration();
        conf.addAll(extra);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, String.valueOf(uiPort));
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
        cluster.start();
        try {
            return new LocalFlink(cluster, cluster.getRestAddress().get());
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    public URI webUi() { return webUi; }

    /** Submits the pipeline against the Kafka of kafkaClient; returns at once, the job runs until cancelled or closed. */
    public synchronized JobClient submit(KafkaClientSettings kafkaClient, Topics topics, PipelineSettings settings, String jobName) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(
                webUi.getHost(), webUi.getPort(), new Configuration());
        KafkaEdges kafka = new KafkaEdges(kafkaClient, topics, settings);
        new EmbeddingPipeline(settings).build(env, kafka, kafka.sinks());
        JobClient job = env.executeAsync(jobName);
        jobs.add(job);
        return job;
    }

    /**
     * Submits a backfill of version v ({@link BackfillJob}) against the Kafka of kafkaClient; returns at once, the
     * job ends when it has embedded the token topic as it stood at its start (or when cancelled).
     */
    public synchronized JobClient submitBackfill(KafkaClientSettings kafkaClient, Topics topics, PipelineSettings settings, ModelVersion v) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(
                webUi.getHost(), webUi.getPort(), new Configuration());
        new BackfillJob(settings).build(env, new KafkaEdges(kafkaClient, topics, settings), v);
        JobClient job = env.executeAsync(BackfillJob.jobName(v));
        jobs.add(job);
        return job;
    }

    /** Cancels the jobs still running, then stops the cluster. */
    @Override
    public void close() throws Exception {
        try {
            for (JobClient job : jobs) {
                try {
                    if (job.getJobStatus().get().isGloballyTerminalState()) continue; // a backfill that finished
                    job.cancel().get();
                } catch (Exception e) {
                    // already finished, cancelled or failed: the cluster goes down anyway
                }
            }
        } finally {
            cluster.close();
        }
    }
}
