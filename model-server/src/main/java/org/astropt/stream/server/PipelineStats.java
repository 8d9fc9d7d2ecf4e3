package org.astropt.stream.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Throughput and latency of the stream as the server sees it, per second over the last two minutes:
 * embeddings and cutouts consumed, and the pipeline's end-to-end latency (the embedding's producedTime
 * minus its sourceTime, the cutout record's Kafka timestamp). Replayed history (embeddings produced
 * more than {@link #WINDOW_S} seconds ago) counts as consumed but not as latency. Thread-safe.
 */
public final class PipelineStats {

    static final int WINDOW_S = 120;
    /** Latency samples kept for the percentiles. */
    static final int SAMPLES = 1000;

    private final long[] second = new long[WINDOW_S];
    private final long[] embeddings = new long[WINDOW_S];
    private final long[] cutouts = new long[WINDOW_S];
    private final double[] latencySum = new double[WINDOW_S];
    private final long[] latencyCount = new long[WINDOW_S];
    private final double[] samples = new double[SAMPLES];
    private int sampleCount;
    private int sampleNext;

    /** @return the pipeline latency in seconds, or -1 when the embedding has none or is replayed history */
    public synchronized double onEmbedding(Long sourceTimeMs, long producedTimeMs, long nowMs) {
        int b = bucket(nowMs);
        embeddings[b]++;
        if (sourceTimeMs == null || nowMs - producedTimeMs > WINDOW_S * 1000L) return -1;
        double latency = Math.max(0, producedTimeMs - sourceTimeMs) / 1000.0;
        latencySum[b] += latency;
        latencyCount[b]++;
        samples[sampleNext] = latency;
        sampleNext = (sampleNext + 1) % SAMPLES;
        sampleCount = Math.min(SAMPLES, sampleCount + 1);
        return latency;
    }

    public synchronized void onCutout(long nowMs) {
        cutouts[bucket(nowMs)]++;
    }

    private int bucket(long nowMs) {
        long s = nowMs / 1000;
        int b = (int) (s % WINDOW_S);
        if (second[b] != s) {
            second[b] = s;
            embeddings[b] = 0;
            cutouts[b] = 0;
            latencySum[b] = 0;
            latencyCount[b] = 0;
        }
        return b;
    }

    /**
     * The dashboard's numbers: embeddings/s and cutouts/s over the last 10 full seconds, latency p50/p95
     * of the last {@link #SAMPLES} live embeddings, and per-second series of the last 60 s (oldest first).
     */
    public synchronized Map<String, Object> snapshot(long nowMs) {
        long now = nowMs / 1000;
        List<Long> rate = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        long emb10 = 0, cut10 = 0;
        for (long s = now - 60; s < now; s++) {
            int b = (int) (s % WINDOW_S);
            boolean valid = second[b] == s;
            long e = valid ? embeddings[b] : 0;
            rate.add(e);
            latency.add(valid && latencyCount[b] > 0 ? latencySum[b] / latencyCount[b] : null);
            if (s >= now - 10) {
                emb10 += e;
                cut10 += valid ? cutouts[b] : 0;
            }
        }
        double[] sorted = Arrays.copyOf(samples, sampleCount);
        Arrays.sort(sorted);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("embeddingsPerSecond", emb10 / 10.0);
        out.put("cutoutsPerSecond", cut10 / 10.0);
        out.put("latencyP50Seconds", sampleCount == 0 ? null : sorted[(int) (0.50 * (sampleCount - 1))]);
        out.put("latencyP95Seconds", sampleCount == 0 ? null : sorted[(int) Math.ceil(0.95 * (sampleCount - 1))]);
        out.put("latencySamples", sampleCount);
        out.put("embeddingsPerSecondSeries", rate);
        out.put("latencySecondsSeries", latency);
        return out;
    }
}
