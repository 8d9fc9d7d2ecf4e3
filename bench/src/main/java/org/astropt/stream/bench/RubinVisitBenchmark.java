package org.astropt.stream.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.app.LocalStack;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.config.SettingsFile;
import org.astropt.stream.core.decode.AlertSchemas;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.decode.DecodeLimits;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.TopicSpec;
import org.astropt.stream.kafka.Topics;

/**
 * A Rubin visit through the streaming pipeline (issue 14): Rubin-format alert packets (Confluent-framed Avro, as
 * {@code astropt simulate-alerts --survey rubin} writes them) on a {@code rubin-alert} input, the writer schema from
 * the folder's {@code schemas/} ({@code decode.schema-folder}), embedded by an alert model (alert-triplet, 16 tokens
 * of 8 px x 3 channels from a 30 x 30 stamp), end to end through the in-process broker, the Flink mini cluster and a
 * read_committed reader, all in this JVM, with the machinery of {@link PipelineBenchmark}. Two measurements:
 * <ol>
 *   <li><b>visit</b>: every packet of the folder produced to a fresh input topic first, then the job submitted; the
 *       time from submitting it to the last embedding visible (job start and model load included), once per visit,
 *       each on fresh topics (the first in a cold JVM);</li>
 *   <li><b>paced</b>: a job already running and warmed up (2,000 alerts), then every packet at RATE alerts/s; the
 *       latency from each packet's produce timestamp to its embedding record's timestamp (written by the embed
 *       stage) and to the embedding being visible (the checkpoint's commit).</li>
 * </ol>
 * Settings are config/pipeline.properties' (checkpoint interval, micro-batch...); {@code -Dpipeline.<key>=<value>}
 * overrides one. Beside them: the bare Embedder on the same triplets, and decode + tokenize on one thread.
 *
 * <pre>
 *   bin/astropt simulate-alerts --survey rubin --count 10000 --seed 3 --out /tmp/visit
 *   ./mvnw -B -o -q -pl bench -am package -DskipTests
 *   java -Xmx3g -Djava.io.tmpdir=/dev/shm -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -Dai.djl.offline=true \
 *       -cp 'bench/target/benchmarks.jar:bench/target/lib/*' org.astropt.stream.bench.RubinVisitBenchmark \
 *       models/astropt-rubin-1m-starter /tmp/visit [VISITS [RATE]]      # defaults 2 and 250; RATE 0: visits only
 * </pre>
 */
public final class RubinVisitBenchmark {

    /** Alerts sent at the paced rate before the measured ones, so that the job has loaded its model and compiled. */
    static final int PACED_WARM_UP = 2000;
    static final String MODEL_NAME = "astropt-rubin";

    private RubinVisitBenchmark() {}

    /** One packet as the survey publishes it: the key (diaSourceId, the file name) and the Confluent-framed bytes. */
    record Packet(byte[] key, byte[] value) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) throw new IllegalArgumentException("usage: RubinVisitBenchmark MODEL_DIR ALERTS_DIR [VISITS [RATE]]");
        Path model = Path.of(args[0]).toAbsolutePath(), alerts = Path.of(args[1]).toAbsolutePath();
        int visits = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        double rate = args.length > 3 ? Double.parseDouble(args[3]) : 250;
        Path schemas = alerts.resolve("schemas");
        List<Packet> packets = read(alerts);
        System.out.printf(Locale.ROOT, "%d Rubin packets from %s (%.1f MB), model %s, load average %s%n", packets.size(), alerts,
                packets.stream().mapToLong(p -> p.value.length).sum() / 1e6, model, loadAverage());

        List<float[][]> sequences = triplets(packets.subList(0, Math.min(1000, packets.size())), schemas);
        double bare = PipelineBenchmark.bareEmbedder(model, sequences, 10);
        System.out.printf(Locale.ROOT, "bare Embedder (batch %d, one thread): %.0f alerts/s%n", PipelineBenchmark.BATCH, bare);

        Path dir = Files.createTempDirectory("astropt-rubin-visit");
        try (LocalStack stack = LocalStack.builder(dir, Topics.defaults().withPrefix("unused.")).kafka(0)
                .flink(0, 1, new org.apache.flink.configuration.Configuration()).start()) {
            for (int v = 1; v <= visits; v++) visit(stack, "visit" + v, model, schemas, packets);
            if (rate > 0) paced(stack, "paced", model, schemas, packets, rate);
        }
        org.apache.flink.util.FileUtils.deleteDirectory(dir.toFile());
    }

    /** The packets of a simulate-alerts folder, by file name; the key is the file name without .avro (the diaSourceId). */
    static List<Packet> read(Path alerts) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(alerts)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".avro")).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalArgumentException(alerts + ": no .avro alert packets");
        List<Packet> out = new ArrayList<>();
        for (Path f : files) {
            String id = f.getFileName().toString().replaceFirst("\\.avro$", "");
            out.add(new Packet(id.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f)));
        }
        return out;
    }

    /** Decode + tokenize as the pipeline's tokenize stage does (alert-triplet, 8 px), timed on this thread. */
    static List<float[][]> triplets(List<Packet> packets, Path schemas) {
        CutoutDecoder decoder = new CutoutDecoder(DecodeLimits.defaults(), AlertSchemas.folder(schemas));
        AlertTripletTokenizer tokenizer = new AlertTripletTokenizer(AstroptConfig.of(SettingsFile.defaults()).alertTripletTokenizerSettings());
        List<float[][]> out = new ArrayList<>();
        for (int pass = 0; pass < 3; pass++) { // the last pass timed, after the JIT has seen the others
            out.clear();
            long start = System.nanoTime();
            for (Packet p : packets) {
                String name = new String(p.key, StandardCharsets.UTF_8);
                out.add(tokenizer.tokenize(name, decoder.decodeAlertTriplet(p.value, name)).rows());
            }
            if (pass == 2) System.out.printf(Locale.ROOT, "decode + tokenize on one thread: %.0f us/alert (%d tokens of %d values)%n",
                    (System.nanoTime() - start) / 1e3 / packets.size(), out.get(0).length, out.get(0)[0].length);
        }
        return out;
    }

    /** All packets produced first, then the job: submit to last embedding visible. */
    static void visit(LocalStack stack, String name, Path model, Path schemas, List<Packet> packets) throws Exception {
        Topics topics = Topics.defaults().withPrefix(name + ".");
        String input = createTopics(stack, topics, name);
        try (KafkaProducer<byte[], byte[]> producer = producer(stack);
             PipelineBenchmark.Visible visible = new PipelineBenchmark.Visible(stack.bootstrapServers(), topics.name(Topics.EMBEDDINGS))) {
            for (Packet p : packets) producer.send(new ProducerRecord<>(input, p.key, p.value));
            producer.flush();
            Usage usage = Usage.now();
            long submitted = System.currentTimeMillis();
            JobClient job = stack.flink().submit(stack.kafkaClient(), topics, settings(name, model, schemas, input), name);
            try {
                long last = visible.await(packets.size(), Duration.ofMinutes(5));
                int seen = visible.latencies().length;
                if (seen < packets.size()) throw new IllegalStateException(name + ": " + seen + " of " + packets.size() + " embeddings became visible");
                double ms = last - submitted;
                System.out.printf(Locale.ROOT, "%s: %d alerts produced beforehand, submit to last embedding visible %.1f s (first visible after %.1f s; "
                                + "%.0f alerts/s steady after it); %s%n",
                        name, packets.size(), ms / 1e3, (visible.firstSeen() - submitted) / 1e3, visible.steady(), usage.since(visible, ms));
            } finally {
                job.cancel().get();
                deleteTopics(stack, topics, input);
            }
        }
    }

    /** A running, warmed-up job, then every packet at rate/s: latency from produce to embedding record, and to visible. */
    static void paced(LocalStack stack, String name, Path model, Path schemas, List<Packet> packets, double rate) throws Exception {
        Topics topics = Topics.defaults().withPrefix(name + ".");
        String input = createTopics(stack, topics, name);
        JobClient job = stack.flink().submit(stack.kafkaClient(), topics, settings(name, model, schemas, input), name);
        try (KafkaProducer<byte[], byte[]> producer = producer(stack);
             PipelineBenchmark.Visible visible = new PipelineBenchmark.Visible(stack.bootstrapServers(), topics.name(Topics.EMBEDDINGS))) {
            int warmUp = Math.min(PACED_WARM_UP, packets.size());
            send(producer, input, packets.subList(0, warmUp), rate);
            visible.await(warmUp, Duration.ofMinutes(5));
            visible.reset();
            Usage usage = Usage.now();
            long start = System.currentTimeMillis();
            send(producer, input, packets, rate);
            long last = visible.await(packets.size(), Duration.ofMinutes(5));
            long[] lat = visible.latencies(), rec = visible.recordLatencies();
            if (lat.length < packets.size()) throw new IllegalStateException(name + ": " + lat.length + " of " + packets.size() + " embeddings became visible");
            Arrays.sort(lat);
            Arrays.sort(rec);
            double ms = last - start;
            System.out.printf(Locale.ROOT, "%s at %.0f alerts/s: %d alerts in %.1f s; produce to embedding record p50 %d ms, p99 %d ms, max %d ms; "
                            + "produce to visible (read_committed) p50 %d ms, p99 %d ms, max %d ms; %s%n",
                    name, rate, lat.length, ms / 1e3, quantile(rec, 0.5), quantile(rec, 0.99), rec[rec.length - 1],
                    quantile(lat, 0.5), quantile(lat, 0.99), lat[lat.length - 1], usage.since(visible, ms));
        } finally {
            job.cancel().get();
            deleteTopics(stack, topics, input);
        }
    }

    /** The load average, JIT time and CPU times at the start of a part, to say where its time went at its end. */
    private record Usage(String load, long jitMs, long processCpu, long modelCpu) {

        static Usage now() {
            return new Usage(loadAverage(), RubinVisitBenchmark.jit(), PipelineBenchmark.processCpuNanos(), PipelineBenchmark.inferenceCpuNanos());
        }

        /** Over the ms since now(): the forward pass per alert, the model thread's, the process's and the JIT's share, the load before and after. */
        String since(PipelineBenchmark.Visible visible, double ms) {
            return String.format(Locale.ROOT, "forward pass %.0f us/alert, model thread on a CPU %.0f%%, process %.0f%% of the cores, "
                            + "JIT compiling %.0f%%; load average before %s, after %s", visible.embedMicrosPerCutout(),
                    100 * (PipelineBenchmark.inferenceCpuNanos() - modelCpu) / 1e6 / ms,
                    100 * (PipelineBenchmark.processCpuNanos() - processCpu) / 1e6 / ms / PipelineBenchmark.CORES, 100 * (RubinVisitBenchmark.jit() - jitMs) / ms,
                    load, loadAverage());
        }
    }

    /** The pipeline settings of config/pipeline.properties (defaults in code without it), the Rubin input and the alert model. */
    static PipelineSettings settings(String name, Path model, Path schemas, String input) throws Exception {
        Properties p = new Properties();
        Path shipped = Path.of("config", "pipeline.properties");
        if (Files.isRegularFile(shipped)) {
            try (var in = Files.newBufferedReader(shipped)) {
                p.load(in);
            }
        }
        p.setProperty("pipeline.initial-model", model.toString());
        p.setProperty("pipeline.model-name", MODEL_NAME);
        p.setProperty("pipeline.inputs", input + "=rubin-alert");
        p.setProperty("decode.schema-folder", schemas.toString());
        p.setProperty("pipeline.transactional-id-prefix", name);
        p.setProperty("pipeline.group-id", name);
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("pipeline.") || key.startsWith("decode.") || key.startsWith("tokenizer.")) p.setProperty(key, System.getProperty(key));
        }
        return PipelineSettings.of(p).withParallelism(1);
    }

    static String createTopics(LocalStack stack, Topics topics, String name) throws Exception {
        String input = name + ".alerts.rubin";
        try (var admin = PipelineBenchmark.admin(stack.bootstrapServers())) {
            topics.create(admin);
            admin.createTopics(List.of(new NewTopic(input, 1, (short) 1))).all().get();
        }
        return input;
    }

    static void deleteTopics(LocalStack stack, Topics topics, String input) throws Exception {
        try (var admin = PipelineBenchmark.admin(stack.bootstrapServers())) {
            List<String> names = new ArrayList<>(topics.all().stream().map(TopicSpec::name).toList());
            names.add(input);
            admin.deleteTopics(names).all().get();
        }
    }

    static KafkaProducer<byte[], byte[]> producer(LocalStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, "5"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends the packets at rate/s (each at its time from the first, so a late one does not slow the rest), then flushes. */
    static void send(KafkaProducer<byte[], byte[]> producer, String topic, List<Packet> packets, double rate) throws InterruptedException {
        long start = System.nanoTime();
        for (int i = 0; i < packets.size(); i++) {
            long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            producer.send(new ProducerRecord<>(topic, packets.get(i).key, packets.get(i).value));
        }
        producer.flush();
    }

    static long quantile(long[] sorted, double q) { return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))]; }

    static long jit() { return java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime(); }

    /** The 1, 5 and 15 minute load averages of the machine, as uptime prints them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return String.format(Locale.ROOT, "%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
