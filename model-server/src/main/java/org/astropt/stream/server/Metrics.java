package org.astropt.stream.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counters, gauges and histograms in the Prometheus text exposition format (version 0.0.4), written by
 * hand: a few dozen series do not need a metrics library. Thread-safe.
 *
 * <pre>{@code
 * metrics.count("astropt_server_records_consumed_total", "Records read from Kafka.", "topic", "astropt.embeddings");
 * metrics.observe("astropt_server_http_request_seconds", "...", 0.004, "route", "/similar");
 * }</pre>
 */
public final class Metrics {

    /** Seconds: from 1 ms (an index lookup) to 60 s (a pipeline with long checkpoints). */
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private record Family(String type, String help) {}

    private static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
        }

        void observe(double v) {
            for (int i = 0; i < BUCKETS.length; i++) if (v <= BUCKETS[i]) counts[i].increment();
            count.increment();
            sum.add(v);
        }
    }

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    /** name -> labels text -> value, sorted so the output is stable. */
    private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Histogram>> histograms = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Map<String, Double>>> gauges = new ConcurrentHashMap<>();

    public void count(String name, String help, String... labels) {
        add(name, help, 1, labels);
    }

    public void add(String name, String help, long n, String... labels) {
        families.putIfAbsent(name, new Family("counter", help));
        counters.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(labels(labels), k -> new LongAdder()).add(n);
    }

    public void observe(String name, String help, double seconds, String... labels) {
        families.putIfAbsent(name, new Family("histogram", help));
        histograms.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(labels(labels), k -> new Histogram()).observe(seconds);
    }

    /** A gauge read at each scrape: label text (as {@link #labels}) -> value. */
    public void gauge(String name, String help, Supplier<Map<String, Double>> values) {
        families.put(name, new Family("gauge", help));
        gauges.put(name, values);
    }

    /** One unlabelled gauge. */
    public void gauge(String name, String help, Supplier<Double> value, boolean unlabelled) {
        gauge(name, help, () -> Map.of("", value.get()));
    }

    /** The value of a counter series (tests, the dashboard's stats). */
    public long counter(String name, String... labels) {
        Map<String, LongAdder> series = counters.get(name);
        LongAdder a = series == null ? null : series.get(labels(labels));
        return a == null ? 0 : a.sum();
    }

    /** {@code {k1="v1",k2="v2"}} with values escaped; empty for no labels. */
    static String labels(String... kv) {
        if (kv.length == 0) return "";
        if (kv.length % 2 != 0) throw new IllegalArgumentException("labels come in name, value pairs");
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            String v = kv[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
            parts.add(kv[i] + "=\"" + v + "\"");
        }
        return "{" + String.join(",", parts) + "}";
    }

    /** The exposition text, families in name order. */
    public String scrape() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Family> f : new TreeMap<>(families).entrySet()) {
            String name = f.getKey();
            out.append("# HELP ").append(name).append(' ').append(f.getValue().help()).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(f.getValue().type()).append('\n');
            switch (f.getValue().type()) {
                case "counter" -> new TreeMap<>(counters.getOrDefault(name, Map.of()))
                        .forEach((l, v) -> line(out, name, l, v.sum()));
                case "gauge" -> new TreeMap<>(gauges.get(name).get()).forEach((l, v) -> line(out, name, l, v));
                default -> new TreeMap<>(histograms.getOrDefault(name, Map.of())).forEach((l, h) -> histogram(out, name, l, h));
            }
        }
        return out.toString();
    }

    private static void histogram(StringBuilder out, String name, String labels, Histogram h) {
        String inner = labels.isEmpty() ? "" : labels.substring(1, labels.length() - 1) + ",";
        for (int i = 0; i < BUCKETS.length; i++) {
            line(out, name + "_bucket", "{" + inner + "le=\"" + number(BUCKETS[i]) + "\"}", h.counts[i].sum());
        }
        line(out, name + "_bucket", "{" + inner + "le=\"+Inf\"}", h.count.sum());
        line(out, name + "_sum", labels, h.sum.sum());
        line(out, name + "_count", labels, h.count.sum());
    }

    private static void line(StringBuilder out, String name, String labels, double value) {
        out.append(name).append(labels).append(' ').append(number(value)).append('\n');
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        return String.format(Locale.ROOT, "%.6g", v);
    }

    /** Label text for a gauge map key. */
    static Map<String, Double> single(String label, Map<String, ? extends Number> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(labels(label, k), v.doubleValue()));
        return out;
    }
}
