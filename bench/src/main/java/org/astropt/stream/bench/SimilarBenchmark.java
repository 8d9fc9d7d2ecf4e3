package org.astropt.stream.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.StageTimings;
import org.astropt.stream.server.ModelServer;
import org.astropt.stream.server.ServerSettings;

/**
 * GET /similar latency with N embeddings in the model server's index, end to end: N Embedding records
 * (clustered random vectors, seeded) go through an in-process Kafka broker into a real ModelServer, then
 * one client asks /similar/{random id}?k=10 over HTTP, one request at a time, and the latencies are
 * reported with the server's own scan time beside them. Broker, server and client share this JVM.
 *
 * <pre>
 *   ./mvnw -B -o -q -pl bench -am package -DskipTests
 *   java -Xmx3g -cp 'bench/target/benchmarks.jar:bench/target/lib/*' org.astropt.stream.bench.SimilarBenchmark [N [DIM [REQUESTS]]]
 * </pre>
 */
public final class SimilarBenchmark {

    /** Clusters the random vectors are drawn around, so neighbours are meaningful rather than uniform noise. */
    static final int CLUSTERS = 200;
    static final int K = 10;

    private SimilarBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        Path dir = Files.createTempDirectory("astropt-similar-bench");
        Topics topics = Topics.defaults();
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir, 0, topics)) {
            long t0 = System.nanoTime();
            produce(kafka.bootstrapServers(), topics.name(Topics.EMBEDDINGS), n, dim);
            System.out.printf(Locale.ROOT, "produced %d embeddings of %d floats in %.1f s%n", n, dim, (System.nanoTime() - t0) / 1e9);
            ServerSettings settings = ServerSettings.defaults().withBootstrap(kafka.bootstrapServers()).withBind("127.0.0.1", 0)
                    .withLimits(Math.max(n, 1), 100);
            long t1 = System.nanoTime();
            try (ModelServer server = ModelServer.start(settings)) {
                if (!server.awaitCaughtUp(10, TimeUnit.MINUTES)) throw new IllegalStateException("the server did not catch up in 10 min");
                System.out.printf(Locale.ROOT, "server read them in %.1f s; heap used %d MB%n", (System.nanoTime() - t1) / 1e9,
                        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
                measure(server.uri(), n, requests);
            }
        }
    }

    private static void produce(String bootstrap, String topic, int n, int dim) {
        AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class);
        Random random = new Random(42);
        float[][] centres = new float[CLUSTERS][dim];
        for (float[] c : centres) for (int i = 0; i < dim; i++) c[i] = (float) random.nextGaussian();
        Instant now = Instant.now();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, "20", ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int j = 0; j < n; j++) {
                float[] c = centres[random.nextInt(CLUSTERS)];
                List<Float> v = new ArrayList<>(dim);
                for (int i = 0; i < dim; i++) v.add(c[i] + 0.5f * (float) random.nextGaussian());
                String id = "bench-" + j;
                Embedding e = Embedding.newBuilder().setId(id).setModelName("bench").setModelVersion(1).setVector(v)
                        .setSurprise(random.nextFloat()).setFlags(List.of())
                        .setTimings(StageTimings.newBuilder().setDecodeMicros(0).setTokenizeMicros(0).setEmbedMicros(0)
                                .setProducedTime(now).build())
                        .build();
                producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), codec.encode(e)));
            }
            producer.flush();
        }
    }

    private static void measure(URI base, int n, int requests) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Random random = new Random(7);
        Pattern scan = Pattern.compile("\"searchMicros\":(\\d+)");
        for (int i = 0; i < Math.min(300, requests); i++) get(http, base, random.nextInt(n)); // JIT warm-up
        double[] total = new double[requests];
        double[] scanMs = new double[requests];
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long t = System.nanoTime();
            String body = get(http, base, random.nextInt(n));
            total[i] = (System.nanoTime() - t) / 1e6;
            Matcher m = scan.matcher(body);
            scanMs[i] = m.find() ? Long.parseLong(m.group(1)) / 1e3 : Double.NaN;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(total);
        Arrays.sort(scanMs);
        System.out.printf(Locale.ROOT, "GET /similar/{id}?k=%d over %d embeddings, %d requests one at a time: %.0f requests/s%n",
                K, n, requests, requests / seconds);
        System.out.printf(Locale.ROOT, "  HTTP round trip ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n",
                pct(total, 0.50), pct(total, 0.95), pct(total, 0.99), total[total.length - 1]);
        System.out.printf(Locale.ROOT, "  index scan ms:      p50 %.2f  p95 %.2f  p99 %.2f%n", pct(scanMs, 0.50), pct(scanMs, 0.95), pct(scanMs, 0.99));
        System.out.println("  load average: " + Files.readString(Path.of("/proc/loadavg")).trim() + "; cores: "
                + Runtime.getRuntime().availableProcessors());
    }

    private static String get(HttpClient http, URI base, int j) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/similar/bench-" + j + "?k=" + K)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("/similar/bench-" + j + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    private static double pct(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }
}
