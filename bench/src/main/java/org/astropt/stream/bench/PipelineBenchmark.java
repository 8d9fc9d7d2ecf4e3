package org.astropt.stream.bench;

import java.nio.ByteBuffer;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.app.LocalStack;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.kafka.TopicSpec;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ImageFormat;

/**
 * The streaming pipeline end to end: cutouts/s and latency from the produce timestamp to the embedding
 * being visible to a read_committed consumer, with AstroPT-1M (random weights) on 64 x 64 grz stamps,
 * at fixed rates and flat out, for two checkpoint intervals; beside it the bare Embedder on the same
 * token sequences. Broker and mini cluster come from the local stack ({@link LocalStack}), one job per run on
 * the same cluster. Broker, mini cluster, producer and consumer share one JVM and this machine's cores;
 * with -Dastropt.bench.bootstrap=HOST:PORT the broker is another process's ({@link BrokerMain}). Each line
 * also says where the model's time went: forward pass per cutout against the bare one, the share of the
 * time in forward passes and on a CPU, the process's share of the cores, the JIT's compile time; and a second line,
 * {@code pipeline_cpu_us_per_cutout}: the thread CPU of the pipeline's own threads per cutout ({@link PipelineCpu}).
 * -Dastropt.bench.preset (1M), cutout-px (64), stamps (500) and round-cutouts pick the model, the stamps and the
 * size of a flat-out round (docs/BENCHMARKS.md, "Pipeline CPU per cutout").
 *
 * <pre>
 *   ./mvnw -B -o -q -pl bench -am package -DskipTests
 *   java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
 *       -cp 'bench/target/benchmarks.jar:bench/target/lib/*' org.astropt.stream.bench.PipelineBenchmark [SECONDS [INTERVALS_MS [RATES]]]
 * </pre>
 */
public final class PipelineBenchmark {

    /** Same micro-batch as config/pipeline.properties, so the bare embedder gets the same batches. */
    static final int BATCH = 32;
    /** Distinct stamps sent round robin: enough that nothing is cached, small enough to make quickly. */
    static final int STAMPS = Integer.getInteger("astropt.bench.stamps", 500);
    /** The model (-Dastropt.bench.preset, default 1M) and the stamps' side (-Dastropt.bench.cutout-px, default 64: 16 tokens; 256: 256 tokens). */
    static final String PRESET = System.getProperty("astropt.bench.preset", "1M");
    static final int CUTOUT_PX = Integer.getInteger("astropt.bench.cutout-px", 64);
    static final AvroCodec<Cutout> CUTOUTS = AvroCodec.of(Cutout.class);
    /** Cutouts sent flat out (and awaited) before the rounds of each run: -Dastropt.bench.warmup=N (default 8000). */
    static final int WARM_UP_CUTOUTS = Integer.getInteger("astropt.bench.warmup", 8000);
    /** Each run repeats its measured round for this long (-Dastropt.bench.rounds-seconds, default 180)... */
    static final Duration ROUNDS = Duration.ofSeconds(Integer.getInteger("astropt.bench.rounds-seconds", 180));
    /** ...and reports the round with the median steady rate of the last few. */
    static final int LAST_ROUNDS = 5;
    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);
    /**
     * Pipeline settings to compare side by side, run in turn for each interval and rate:
     * -Dastropt.bench.variants='pipeline.inference-in-flight=0|pipeline.inference-in-flight=2' ('|' between
     * variants, ',' between the keys of one). Default: one run with config defaults.
     */
    static final List<String> VARIANTS = List.of(System.getProperty("astropt.bench.variants", "").split("\\|", -1));
    /** Rounds over all runs (-Dastropt.bench.repeat, default 1): A B A B shows how far runs move on their own. */
    static final int REPEAT = Integer.getInteger("astropt.bench.repeat", 1);

    private PipelineBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        // checkpoint intervals (ms) and rates (cutouts/s, 0 = flat out), comma separated
        long[] intervals = Arrays.stream((args.length > 1 ? args[1] : "1000,5000").split(",")).mapToLong(Long::parseLong).toArray();
        double[] rates = Arrays.stream((args.length > 2 ? args[2] : "100,250,0").split(",")).mapToDouble(Double::parseDouble).toArray();
        Path dir = Files.createTempDirectory("astropt-pipeline-bench");
        Path model = dir.resolve("astropt-1m");
        try (AstroPTModel m = AstroPTModel.create(ModelConfig.preset(PRESET).config(), AstroPTModel.defaultDevice(), 1)) {
            Checkpoint.save(m, model, Safetensors.Dtype.F32);
        }
        SyntheticSurvey survey = new SyntheticSurvey(11, CUTOUT_PX, STAMPS);
        List<byte[]> fits = new ArrayList<>();
        for (int i = 0; i < STAMPS; i++) fits.add(SurveyWriter.fitsBytes(survey.galaxy(i)));

        List<float[][]> sequences = grzSequences(fits);
        double bare = bareEmbedder(model, sequences, seconds);
        System.out.printf(Locale.ROOT, "bare Embedder (batch %d, one thread): %.0f cutouts/s%n", BATCH, bare);
        String external = System.getProperty("astropt.bench.bootstrap");
        LocalStack.Builder parts = LocalStack.builder(dir, Topics.defaults().withPrefix("unused."));
        if (external != null) parts.kafka(external);
        else parts.kafka(0);
        // -Dflink.<key>=<value> system properties go into the mini cluster's configuration (network buffers...)
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("flink."))
                .forEach(k -> conf.setString(k.substring("flink.".length()), System.getProperty(k)));
        try (LocalStack stack = parts.flink(0, 1, conf).start()) {
            System.out.println(external != null ? "broker: " + external + ", another process" : "broker: in this JVM");
            int run = 0;
            for (int round = 0; round < REPEAT; round++) {
                for (long interval : intervals) {
                    for (double rate : rates) {
                        for (String variant : VARIANTS) {
                            Result r = pipeline(stack, "b" + run++, model, fits, interval, rate, seconds, variant);
                            System.out.printf(Locale.ROOT, "%scheckpoint %d ms, %s: %d cutouts, %.0f cutouts/s send to last visible, %.0f/s steady (%.0f%% of bare), latency p50 %d ms, p99 %d ms, max %d ms; forward pass %.0f us/cutout (bare %.0f), model busy %.0f%% and on a CPU %.0f%% of the time, this process %.0f%% of the cores, JIT compiling %.0f%% (round %d)%n",
                                    variant.isEmpty() ? "" : "[" + variant + "] ", interval,
                                    rate == 0 ? "flat out" : String.format(Locale.ROOT, "%.0f/s", rate), r.count, r.throughput,
                                    r.steady, 100 * r.steady / bare, r.p50, r.p99, r.max, r.embedMicros, 1e6 / bare, 100 * r.modelBusy(), 100 * r.modelCpu(), 100 * r.processCpu() / CORES, 100 * r.compiling(), r.round());
                            System.out.printf(Locale.ROOT, "%s%s, %d px stamps: %s%n", variant.isEmpty() ? "" : "[" + variant + "] ",
                                    PRESET, CUTOUT_PX, r.cpu().line());
                            System.out.println(r.cpu().threadLines());
                        }
                    }
                }
            }
        }
        // The same bare measurement again after the pipeline runs: how much the machine itself moved meanwhile.
        double bareAfter = bareEmbedder(model, sequences, seconds);
        System.out.printf(Locale.ROOT, "bare Embedder again after the pipeline runs: %.0f cutouts/s (before: %.0f)%n", bareAfter, bare);
        org.apache.flink.util.FileUtils.deleteDirectory(dir.toFile());
    }

    /** The grz token sequences of the given FITS cutouts (decode + tokenize, as the pipeline's tokenize stage does). */
    static List<float[][]> grzSequences(List<byte[]> fits) {
        CutoutDecoder decoder = new CutoutDecoder();
        PatchTokenizer tokenizer = new PatchTokenizer();
        List<float[][]> sequences = new ArrayList<>();
        for (byte[] f : fits) sequences.add(tokenizer.tokenize(decoder.decode(f, "bench.fits", ImageFormat.AUTO, null, null)).rows());
        return sequences;
    }

    /** Embeddings/s of the bare Embedder over the given token sequences in batches of BATCH (decode and tokenize excluded). */
    static double bareEmbedder(Path model, List<float[][]> sequences, int seconds) throws Exception {
        try (AstroPTModel m = Checkpoint.load(model, AstroPTModel.defaultDevice());
             Embedder embedder = new Embedder(m, new Embedder.Settings(BATCH, Embedder.Settings.DEFAULT.bucketLengths(), -1))) {
            for (int i = 0; i < sequences.size(); i += BATCH) embedder.embed(sequences.subList(i, Math.min(sequences.size(), i + BATCH)));
            long count = 0;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                for (int i = 0; i < sequences.size(); i += BATCH) {
                    count += embedder.embed(sequences.subList(i, Math.min(sequences.size(), i + BATCH))).size();
                }
            }
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * @param throughput cutouts over the time from the first send to the last embedding visible
     * @param steady     embeddings made visible after the first commit over the time from it to the last:
     *                   the rate the pipeline sustains, without the wait for the first and last commits
     */
    record Result(int count, double throughput, double steady, long p50, long p99, long max, double embedMicros,
            double compiling, int round, double modelCpu, double processCpu, PipelineCpu.Round cpu) {
        /** The share of the round's time (first send to last visible) the model spent in forward passes. */
        double modelBusy() { return throughput * embedMicros / 1e6; }
    }

    /** One run on fresh topics, a job of its own on the stack's mini cluster: warm up, then send at rate (0: flat out) for the given seconds and measure. */
    static Result pipeline(LocalStack stack, String name, Path model, List<byte[]> fits, long intervalMs,
            double rate, int seconds, String variant) throws Exception {
        String kafka = stack.bootstrapServers();
        Topics topics = Topics.defaults().withPrefix(name + ".");
        try (var admin = admin(kafka)) {
            topics.create(admin);
        }
        Properties p = new Properties();
        p.setProperty("pipeline.initial-model", model.toString());
        p.setProperty("pipeline.checkpoint-interval-ms", String.valueOf(intervalMs));
        p.setProperty("pipeline.transactional-id-prefix", name);
        p.setProperty("pipeline.group-id", name);
        for (String kv : variant.split(",")) {
            if (kv.isBlank()) continue;
            int eq = kv.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("not key=value in astropt.bench.variants: " + kv);
            p.setProperty(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        PipelineSettings settings = PipelineSettings.of(p).withParallelism(1);
        JobClient job = stack.flink().submit(stack.kafkaClient(), topics, settings, name);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka, ProducerConfig.LINGER_MS_CONFIG, "5"),
                new ByteArraySerializer(), new ByteArraySerializer());
             Visible visible = new Visible(kafka, topics.name(Topics.EMBEDDINGS));
             PipelineCpu cpu = new PipelineCpu(name)) {
            String cutouts = topics.name(Topics.CUTOUTS);
            // Warm-up: the JIT compiles Flink's, Kafka's and Avro's hot paths for minutes on two cores, and
            // measured too early, the compiler takes a good share of a core from the pipeline. A flat-out warm-up
            // alone does not settle it: a paced or a backlogged stream takes other paths, which compile when first
            // taken (Kafka's log cleaner, Flink's checkpoint paths...; docs/BENCHMARKS.md has the JIT figures). So
            // WARM_UP_CUTOUTS flat out, then the run's own round, again and again for ROUNDS; the result is the
            // round with the median steady rate of the last LAST_ROUNDS, printed with their range.
            var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            for (int i = 0; i < WARM_UP_CUTOUTS; i++) send(producer, cutouts, "warm-" + i, fits.get(i % fits.size()));
            producer.flush();
            visible.await(WARM_UP_CUTOUTS, Duration.ofMinutes(3));
            cpu.printGrouping();
            long roundsStart = System.nanoTime();
            int sent = WARM_UP_CUTOUTS;
            List<Result> rounds = new ArrayList<>();
            for (int round = 1; ; round++) {
                visible.reset();
                long jitBefore = jit.getTotalCompilationTime();
                long modelCpuBefore = inferenceCpuNanos();
                long processCpuBefore = processCpuNanos();
                var cpuBefore = cpu.mark();
                int n = rate > 0 ? (int) (rate * seconds) : Integer.getInteger("astropt.bench.round-cutouts", (int) Math.max(500, 400L * seconds));
                long start = System.nanoTime();
                long firstSend = System.currentTimeMillis();
                for (int i = 0; i < n; i++) {
                    if (rate > 0) {
                        long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    send(producer, cutouts, "c-" + sent++, fits.get(i % fits.size()));
                }
                producer.flush();
                long lastSeen = visible.await(n, Duration.ofMinutes(5));
                var cpuAfter = cpu.mark();
                long[] lat = visible.latencies();
                Arrays.sort(lat);
                if (lat.length < n) throw new IllegalStateException(name + ": " + lat.length + " of " + n + " embeddings became visible");
                double roundMs = lastSeen - firstSend;
                Result r = new Result(n, n / (roundMs / 1e3), visible.steady(), lat[lat.length / 2],
                        lat[(int) (lat.length * 0.99)], lat[lat.length - 1], visible.embedMicrosPerCutout(),
                        (jit.getTotalCompilationTime() - jitBefore) / roundMs, round,
                        (inferenceCpuNanos() - modelCpuBefore) / 1e6 / roundMs,
                        (processCpuNanos() - processCpuBefore) / 1e6 / roundMs, PipelineCpu.Round.between(cpuBefore, cpuAfter, n));
                System.out.printf(Locale.ROOT, "%s round %d at %s: %.0f/s steady, p99 %d ms, JIT compiling %.0f%%, pipeline %.0f us/cutout CPU%n",
                        name, round, java.time.LocalTime.now(), r.steady, r.p99, 100 * r.compiling,
                        r.cpu().microsPerCutout(PipelineCpu.Group.PIPELINE));
                rounds.add(r);
                if (System.nanoTime() - roundsStart > ROUNDS.toNanos() && rounds.size() >= LAST_ROUNDS) {
                    List<Result> last = new ArrayList<>(rounds.subList(rounds.size() - LAST_ROUNDS, rounds.size()));
                    last.sort(java.util.Comparator.comparingDouble(Result::steady));
                    System.out.printf(Locale.ROOT, "%s: last %d rounds %.0f to %.0f/s steady%n", name, LAST_ROUNDS,
                            last.get(0).steady, last.get(LAST_ROUNDS - 1).steady);
                    return last.get(LAST_ROUNDS / 2);
                }
            }
        } finally {
            job.cancel().get();
            // each run writes GBs (a cutout and its tokens are tens of KB): give the disk back before the next one
            try (var admin = admin(kafka)) {
                admin.deleteTopics(topics.all().stream().map(TopicSpec::name).toList()).all().get();
            }
        }
    }

    static final int CORES = Runtime.getRuntime().availableProcessors();

    /**
     * CPU time of the embed operator's inference threads ({@code astropt-embed-N}, where the forward pass runs):
     * beside the time in forward passes it tells a model kept waiting (idle) from one kept off the CPU.
     */
    static long inferenceCpuNanos() {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("astropt-embed-")) sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
        }
        return sum;
    }

    /** CPU time of this whole process (broker, pipeline, load and readers when they share it). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static org.apache.kafka.clients.admin.Admin admin(String bootstrap) {
        return org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    static void send(KafkaProducer<byte[], byte[]> producer, String topic, String id, byte[] fits) {
        Cutout c = Cutout.newBuilder().setId(id).setSurvey("synthetic").setFormat(ImageFormat.AUTO)
                .setImage(ByteBuffer.wrap(fits)).build();
        producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), CUTOUTS.encode(c)));
    }

    /**
     * A read_committed reader on its own thread: per embedding, visible wall time minus the cutout's produce timestamp
     * (and the embedding record's own timestamp, when the embed stage wrote it, minus the same).
     */
    static final class Visible implements AutoCloseable {
        private final List<Long> latencies = new ArrayList<>();
        private final List<Long> recordLatencies = new ArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private long lastSeen;
        private long firstSeen;
        private int atFirstSeen;
        private long embedMicros;

        Visible(String bootstrap, String topic) {
            thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = org.astropt.stream.kafka.CommittedRecords.fromStart(bootstrap, topic)) {
                    while (!stop.get()) {
                        var records = consumer.poll(Duration.ofMillis(20));
                        long now = System.currentTimeMillis();
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            Embedding e = EMBEDDINGS.decode(r.value());
                            long source = e.getTimings().getSourceTime().toEpochMilli();
                            synchronized (this) {
                                if (latencies.isEmpty()) firstSeen = now;
                                if (now == firstSeen) atFirstSeen = latencies.size() + 1;
                                latencies.add(now - source);
                                recordLatencies.add(r.timestamp() - source);
                                embedMicros += e.getTimings().getEmbedMicros();
                                lastSeen = now;
                                notifyAll();
                            }
                        }
                    }
                }
            }, "visible-embeddings");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits until n embeddings were seen; returns when the last of them became visible. */
        synchronized long await(int n, Duration timeout) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (latencies.size() < n && System.currentTimeMillis() < deadline) wait(200);
            return lastSeen;
        }

        synchronized void reset() {
            latencies.clear();
            recordLatencies.clear();
            embedMicros = 0;
        }

        /** Mean forward-pass time per cutout (the Embedding's embedMicros: its batch's time over its size). */
        synchronized double embedMicrosPerCutout() { return latencies.isEmpty() ? Double.NaN : (double) embedMicros / latencies.size(); }

        synchronized double steady() {
            return lastSeen == firstSeen ? Double.NaN : (latencies.size() - atFirstSeen) / ((lastSeen - firstSeen) / 1e3);
        }

        synchronized long[] latencies() { return latencies.stream().mapToLong(Long::longValue).toArray(); }

        /** Embedding record timestamp minus produce timestamp: the latency before the checkpoint's commit makes it visible. */
        synchronized long[] recordLatencies() { return recordLatencies.stream().mapToLong(Long::longValue).toArray(); }

        /** Wall time (ms) when the first embedding since the last reset became visible. */
        synchronized long firstSeen() { return firstSeen; }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5000);
        }
    }
}
