package org.astropt.stream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The CPU time of the benchmark's threads by who they work for, from each thread's CPU time (ThreadMXBean), so
 * the pipeline's own cost per cutout ({@code pipeline_cpu_us_per_cutout}) can be told from the broker's, the load
 * generator's and the model's when they all share one JVM. A sampler thread reads every thread's CPU time every
 * {@link #SAMPLE_MS} ms and adds each thread's growth to its group, so threads that come and go between two
 * marks (a producer of a new transaction) are counted up to their last sample.
 *
 * <p>Groups, by thread name ({@link #groupOf}; {@link #printGrouping} lists each thread seen and its group once):
 * <ul>
 *   <li>{@link Group#PIPELINE}: Flink task threads (named {@code <operators> (i/n)#a}), the sources' fetchers,
 *       the tasks' asynchronous checkpoint threads, the model loader, and the Kafka clients of the job (producer
 *       network threads of the sinks' transactional producers, whose client ids carry the run's transactional id
 *       prefix; consumer heartbeat threads of its groups). This is what a TaskManager pays per cutout, less the forward pass.</li>
 *   <li>{@link Group#FORWARD}: the embed operator's inference thread ({@code astropt-embed-N}): the forward passes,
 *       and the hand-over of batches around them, a queue take and put.</li>
 *   <li>{@link Group#FLINK_RUNTIME}: the mini cluster's JobManager and TaskManager services (RPC, checkpoint
 *       coordination, heartbeats): shown, not counted in the pipeline (a JobManager runs elsewhere on a cluster).</li>
 *   <li>{@link Group#BROKER}: the in-process Kafka broker and controller.</li>
 *   <li>{@link Group#LOAD}: the benchmark's producer (the main thread and its network thread) and its
 *       read_committed reader; {@link Group#MEASURING}: this sampler.</li>
 *   <li>{@link Group#OTHER}: anything else (JVM service threads, JIT compiler threads where the JVM lists them).</li>
 * </ul>
 */
final class PipelineCpu implements AutoCloseable {

    /** Who a thread works for. */
    enum Group { PIPELINE, FORWARD, FLINK_RUNTIME, BROKER, LOAD, MEASURING, OTHER }

    /** How often every thread's CPU time is read: a thread that ends loses at most this much of its time. */
    static final long SAMPLE_MS = 200;

    /** A Flink task thread: "Source: cutouts (1/1)#0", "decode-tokenize -> ... Writer (1/1)#0", "embed -> ... (1/1)#3". */
    private static final Pattern TASK = Pattern.compile(".* \\(\\d+/\\d+\\)#\\d+$");
    /** Thread names of the in-process KRaft broker and controller (Kafka 4.2). */
    private static final Pattern BROKER = Pattern.compile("^(data-plane-kafka|kafka-network-thread|broker-|controller-"
            + "|ExpirationReaper|kafka-log-cleaner|kafka-scheduler|LogDirFailureHandler|transaction-log-manager"
            + "|group-coordinator|share-coordinator|TxnMarkerSenderThread|ReplicaFetcher|ReplicaAlterLogDirs|raft-"
            + "|quorum|kafka-raft|metrics-meter|AddPartitionsToTxnSenderThread|kafka-1-raft|feature-zk|client-metrics"
            + "|executor-|kafka-shutdown-hook|kafka-request-handler|node-|persister|log-cleaner|RemoteLog|BrokerLifecycle"
            + "|ClientQuotaManager|ThrottledChannelReaper|SessionExpire|transaction-state|group-metadata|kafka-socket"
            + "|SensorExpiryThread|PersisterStateManager|network-partition-metadata|share-group-lock|CloseableReaperThread"
            + "|.*-event-handler|.*-heartbeat-manager|.*QuotaManager|.*Reaper|.*-scheduler-\\d).*");

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final String run;
    private final Map<Long, Long> lastCpu = new HashMap<>();
    private final Map<Long, Group> groups = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    /** CPU nanoseconds so far of each pipeline thread, by name (the Flink task threads' names shortened). */
    private final Map<String, Long> pipelineThreads = new TreeMap<>();
    private final Map<String, Group> seen = new TreeMap<>();
    private final EnumMap<Group, Long> totals = new EnumMap<>(Group.class);
    private final Thread sampler;
    private volatile boolean stop;

    /** @param run the run's name, which prefixes its Flink job's transactional ids and consumer groups */
    PipelineCpu(String run) {
        this.run = run;
        for (Group g : Group.values()) totals.put(g, 0L);
        sample(false);
        sampler = new Thread(() -> {
            while (!stop) {
                try {
                    Thread.sleep(SAMPLE_MS);
                } catch (InterruptedException e) {
                    return;
                }
                sample(true);
            }
        }, "pipeline-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** The group of a thread, by its name; {@code run} is the run's transactional id prefix and group id. */
    static Group groupOf(String name, String run) {
        if (name.startsWith("astropt-embed-")) return Group.FORWARD;
        if (name.equals("pipeline-cpu-sampler")) return Group.MEASURING;
        if (name.equals("main") || name.equals("visible-embeddings")) return Group.LOAD;
        if (name.startsWith("kafka-producer-network-thread") || name.startsWith("kafka-coordinator-heartbeat-thread")
                || name.startsWith("consumer_background_thread")) {
            // the job's clients carry its run name (transactional ids <run>-<role>-..., groups <run>, <run>-models)
            return name.contains("| producer-" + run + "-") || name.contains("| " + run) ? Group.PIPELINE : Group.LOAD;
        }
        if (TASK.matcher(name).matches() || name.startsWith("Source Data Fetcher for ")
                || name.startsWith("AsyncOperations-thread") || name.startsWith("astropt-model-loader-")
                || name.startsWith("SplitFetcher") || name.startsWith("Legacy Source Thread")
                || name.startsWith("channel-state-unspilling")) return Group.PIPELINE;
        if (name.startsWith("kafka-admin-client-thread | " + run + "-")) return Group.FLINK_RUNTIME; // the sources' split enumerators
        if (name.startsWith("flink-") || name.startsWith("Flink") || name.contains("pekko") || name.contains("Pekko")
                || name.startsWith("jobmanager") || name.startsWith("mini-cluster") || name.startsWith("Checkpoint Timer")
                || name.startsWith("FileCache") || name.startsWith("IOManager") || name.startsWith("Timer-")
                || name.startsWith("cluster-io") || name.startsWith("JobLeader") || name.startsWith("taskmanager")
                || name.startsWith("ResourceManager") || name.startsWith("Dispatcher") || name.startsWith("BLOB")
                || name.startsWith("OutputFlusher") || name.startsWith("Time Trigger") || name.startsWith("Hashed wheel")
                || name.startsWith("SourceCoordinator") || name.startsWith("Source Coordinator")
                || name.startsWith("resourcemanager")) return Group.FLINK_RUNTIME;
        if (BROKER.matcher(name).matches()) return Group.BROKER;
        return Group.OTHER;
    }

    private synchronized void sample(boolean count) {
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (cpu < 0 || infos[i] == null) continue;
            Group g = groups.get(ids[i]);
            if (g == null) {
                String name = infos[i].getThreadName();
                g = groupOf(name, run);
                groups.put(ids[i], g);
                names.put(ids[i], shortName(name));
                seen.putIfAbsent(name, g);
            }
            Long before = lastCpu.put(ids[i], cpu);
            // a thread first seen after the start was born since the last sample: all its time is new
            if (!count) continue;
            long grown = cpu - (before == null ? 0 : before);
            totals.merge(g, grown, Long::sum);
            if (g == Group.PIPELINE) pipelineThreads.merge(names.get(ids[i]), grown, Long::sum);
        }
    }

    /**
     * A thread's name as the per-thread table shows it: a Flink task by its first operator (the chain's full name
     * is hundreds of characters), a producer by its client id, a transaction's producer number dropped.
     */
    static String shortName(String name) {
        String n = name.replaceAll(" -> .*( \\(\\d+/\\d+\\)#\\d+)$", " ...$1")
                .replaceFirst("^kafka-producer-network-thread \\| producer-", "producer ")
                .replaceFirst("-\\d+$", "");
        return n.length() > 60 ? n.substring(0, 60) : n;
    }

    /** CPU nanoseconds per group so far (sampled now). */
    synchronized Mark mark() {
        sample(true);
        return new Mark(new EnumMap<>(totals), new TreeMap<>(pipelineThreads));
    }

    /** The CPU so far per group, and per pipeline thread. */
    record Mark(EnumMap<Group, Long> groups, Map<String, Long> threads) {}

    /** Every thread name seen so far, with its group: printed once per run so a reader can check the grouping. */
    synchronized void printGrouping() {
        Map<Group, StringBuilder> lines = new EnumMap<>(Group.class);
        seen.forEach((name, g) -> {
            StringBuilder names = lines.computeIfAbsent(g, x -> new StringBuilder());
            names.append(names.isEmpty() ? "" : "; ").append(name);
        });
        System.out.println("thread grouping of " + run + " (PipelineCpu.groupOf):");
        lines.forEach((g, names) -> System.out.println("  " + g + ": " + names));
    }

    /** The CPU of one round, per cutout: what the pipeline's own threads spent, and the forward pass beside it. */
    record Round(int cutouts, EnumMap<Group, Long> nanos, Map<String, Long> threads) {

        static Round between(Mark before, Mark after, int cutouts) {
            EnumMap<Group, Long> d = new EnumMap<>(Group.class);
            for (Group g : Group.values()) d.put(g, after.groups().get(g) - before.groups().get(g));
            Map<String, Long> t = new TreeMap<>();
            after.threads().forEach((name, ns) -> t.put(name, ns - before.threads().getOrDefault(name, 0L)));
            return new Round(cutouts, d, t);
        }

        /** The pipeline's threads, largest first, in us per cutout: where {@code pipeline_cpu_us_per_cutout} goes. */
        String threadLines() {
            StringBuilder s = new StringBuilder("pipeline threads, us/cutout:");
            threads.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> s.append(String.format(Locale.ROOT, "%n  %7.1f  %s", e.getValue() / 1e3 / cutouts, e.getKey())));
            return s.toString();
        }

        double microsPerCutout(Group g) { return nanos.get(g) / 1e3 / cutouts; }

        /** The pipeline's CPU as a share of the forward pass's. */
        double shareOfForward() { return microsPerCutout(Group.PIPELINE) / microsPerCutout(Group.FORWARD); }

        String line() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "pipeline_cpu_us_per_cutout %.0f (forward, inference thread CPU: %.0f us/cutout; pipeline %.1f%% of the forward); us/cutout by group:",
                    microsPerCutout(Group.PIPELINE), microsPerCutout(Group.FORWARD), 100 * shareOfForward()));
            for (Group g : Group.values()) s.append(String.format(Locale.ROOT, " %s %.0f", g.name().toLowerCase(Locale.ROOT), microsPerCutout(g)));
            return s.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        sampler.interrupt();
        sampler.join(1000);
    }
}
