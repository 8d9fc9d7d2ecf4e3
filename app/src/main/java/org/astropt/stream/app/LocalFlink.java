package org.astropt.stream.app;

import java.net.URI;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.astropt.stream.flink.EmbeddingPipeline;
import org.astropt.stream.flink.KafkaEdges;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.Topics;

/**
 * A Flink mini cluster in this JVM with its web UI (flink-runtime-web), running the same pipeline job
 * that {@code flink run} submits to a real cluster. The job is submitted through the cluster's REST
 * endpoint, as a client would; its classes are already on this JVM's class path.
 */
final class LocalFlink implements AutoCloseable {

    private final MiniCluster cluster;
    private final URI webUi;
    private JobClient job;

    private LocalFlink(MiniCluster cluster, URI webUi) {
        this.cluster = cluster;
        this.webUi = webUi;
    }

    /** @param uiPort web UI and REST port on localhost; 0 picks a free one */
    static LocalFlink start(int uiPort, int slots) throws Exception {
        Configuration conf = EmbeddingPipeline.localClusterConfiguration();
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

    URI webUi() { return webUi; }

    /** Submits the pipeline against the Kafka at bootstrap; returns at once, the job runs until closed. */
    JobClient submit(String bootstrap, Topics topics, PipelineSettings settings) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(
                webUi.getHost(), webUi.getPort(), new Configuration());
        KafkaEdges kafka = new KafkaEdges(bootstrap, topics, settings);
        new EmbeddingPipeline(settings).build(env, kafka, kafka.sinks());
        job = env.executeAsync("astropt pipeline");
        return job;
    }

    @Override
    public void close() throws Exception {
        try {
            if (job != null) job.cancel().get();
        } catch (Exception e) {
            // already finished or failed: the cluster goes down anyway
        } finally {
            cluster.close();
        }
    }
}
