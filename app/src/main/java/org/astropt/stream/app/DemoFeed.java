package org.astropt.stream.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticGalaxy;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.sim.TruthCatalogue;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;

/**
 * The local stack's feed: the real sample files (DECaLS, HST/GalSim, the ZTF and Rubin alert packets,
 * when ../shared/data/real is there) and then synthetic survey cutouts with injected artefacts, sent to
 * the cutouts topic at a fixed rate. Synthetic cutouts carry their truth in the metadata
 * ({@code truth.<column>} of {@link TruthCatalogue}) for the trainer's probe and the dashboard's map; a few
 * (the demo's --novel-fraction) are novel objects, {@code truth.novel} naming the kind (MERGER, RING,
 * LENSED_ARC) and {@code truth.novel_details} what was drawn, {@code truth.novel} empty on ordinary galaxies.
 * One synthetic cutout in {@link #DAMAGED_EVERY} is sent damaged (truncated FITS), so the dead-letter path is seen at work.
 */
final class DemoFeed implements Runnable {

    /** One damaged record in this many synthetic ones. */
    static final int DAMAGED_EVERY = 50;
    /** The synthetic survey the feed draws from. */
    static final long SURVEY_SEED = 2;
    /** In the data folder: where the feed goes on in the synthetic survey on the next run, so object ids do not repeat. */
    static final String FEED_STATE = "demo-feed.properties";
    /** Key of FEED_STATE: the synthetic survey's next index. */
    static final String STATE_KEY = "next-index";

    private final KafkaClientSettings kafka;
    private final String topic;
    private final List<Path> realFiles;
    private final SyntheticSurvey survey;
    private final long firstIndex;
    private final double rate;
    private final long limit;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final java.util.Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Queue<String> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AvroCodec<Cutout> codec = AvroCodec.of(Cutout.class);
    private final CutoutDecoder decoder = new CutoutDecoder();
    private volatile Throwable failure;
    private volatile boolean done;

    /**
     * @param firstIndex synthetic index to start at: a second run of the demo continues the survey, so ids do not repeat
     * @param limit      records to send, or Long.MAX_VALUE until stopped
     */
    DemoFeed(KafkaClientSettings kafka, String topic, List<Path> realFiles, SyntheticSurvey survey, long firstIndex, double rate, long limit) {
        if (rate <= 0) throw new IllegalArgumentException("--rate " + rate + ": must be positive");
        this.kafka = kafka;
        this.topic = topic;
        this.realFiles = List.copyOf(realFiles);
        this.survey = survey;
        this.firstIndex = firstIndex;
        this.rate = rate;
        this.limit = limit;
    }

    /** The project's shared folder: -Dastropt.shared, else ../shared beside the checkout (the working directory). */
    static Path sharedFolder() {
        String property = System.getProperty("astropt.shared");
        return property != null && !property.isBlank() ? Path.of(property) : Path.of("..", "shared");
    }

    /** The sample files under the shared folder's data/real, or none when it is absent. */
    static List<Path> realFiles(Path shared) throws IOException {
        Path real = shared.resolve("data").resolve("real");
        if (!Files.isDirectory(real)) return List.of();
        return new ArrayList<>(ProduceCommand.files(List.of(real))); // each DECaLS band file is a cutout of its own here
    }

    long sent() { return sent.get(); }

    /** The synthetic index the last run in this data folder stopped at (0 for the first run). */
    static long nextIndex(Path data) throws IOException { return nextIndex(data, STATE_KEY); }

    /** Where the stream the key names (the cutouts', {@link AlertFeed}'s) goes on in this data folder: 0 for the first run. */
    static long nextIndex(Path data, String key) throws IOException {
        return Long.parseLong(feedState(data).getProperty(key, "0"));
    }

    /** Remembers in the data folder where the synthetic survey goes on. */
    void saveNextIndex(Path data) throws IOException { saveNextIndex(data, STATE_KEY, firstIndex + sent()); }

    /** Remembers where the stream the key names goes on, keeping the other streams' positions in the file. */
    static synchronized void saveNextIndex(Path data, String key, long next) throws IOException {
        java.util.Properties p = feedState(data);
        p.setProperty(key, String.valueOf(next));
        try (var w = Files.newBufferedWriter(data.resolve(FEED_STATE))) {
            p.store(w, "astropt demo: where the synthetic feeds go on");
        }
    }

    private static java.util.Properties feedState(Path data) throws IOException {
        java.util.Properties p = new java.util.Properties();
        Path file = data.resolve(FEED_STATE);
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file)) {
                p.load(in);
            }
        }
        return p;
    }

    /** Records Kafka refused ("id: reason"): they are not in {@link #ids}. */
    List<String> refused() { return List.copyOf(refused); }

    /** The ids sent so far (this run) and taken by Kafka; kept only for a feed with a limit (--cutouts). */
    java.util.Set<String> ids() { return java.util.Set.copyOf(ids); }

    Throwable failure() { return failure; }

    /** Whether the feed has stopped sending: its limit reached, stopped, or failed. */
    boolean done() { return done; }

    void stop() { stop.set(true); }

    @Override
    public void run() {
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProduceCommand.producerProperties(kafka))) {
            long n = 0;
            long index = firstIndex;
            while (!stop.get() && n < limit) {
                long due = start + (long) (n * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                Cutout c;
                if (n < realFiles.size()) {
                    c = realCutout(realFiles.get((int) n));
                } else if (index % DAMAGED_EVERY == DAMAGED_EVERY - 1) {
                    c = damaged(survey.galaxy(index++));
                } else {
                    c = synthetic(survey.galaxy(index++));
                }
                String id = c.getId().toString();
                if (limit != Long.MAX_VALUE) ids.add(id); // an endless feed keeps no ids: they would grow without bound
                producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), codec.encode(c)), (meta, e) -> {
                    if (e != null) {
                        ids.remove(id); // never reached the topic: nothing downstream will account for it
                        refused.add(id + ": " + e.getMessage());
                    }
                });
                n++;
                sent.set(n);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
        } finally {
            done = true;
        }
    }

    private Cutout realCutout(Path file) throws IOException {
        byte[] image = Files.readAllBytes(file);
        return Cutout.newBuilder().setId("real-" + ProduceCommand.objectId(file))
                .setSurvey(ProduceCommand.survey(decoder, image, file))
                .setFormat(ImageFormat.AUTO).setImage(ByteBuffer.wrap(image))
                .setMetadata(Map.of("file", file.getFileName().toString(), "producer", "astropt demo"))
                .build();
    }

    static Cutout synthetic(SyntheticGalaxy g) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("producer", "astropt demo");
        TruthCatalogue.cells(g.truth()).forEach((k, v) -> {
            if (!k.equals("id")) metadata.put("truth." + k, v);
        });
        return Cutout.newBuilder().setId(g.id()).setSurvey("synthetic")
                .setBands(g.image().bands()).setFormat(ImageFormat.FITS)
                .setImage(ByteBuffer.wrap(SurveyWriter.fitsBytes(g)))
                .setMetadata(metadata)
                .build();
    }

    /** A cutout whose FITS bytes were cut short in transit: the pipeline must dead-letter it, bytes intact. */
    static Cutout damaged(SyntheticGalaxy g) throws IOException {
        byte[] fits = SurveyWriter.fitsBytes(g);
        byte[] cut = java.util.Arrays.copyOf(fits, fits.length / 3);
        return Cutout.newBuilder().setId(g.id()).setSurvey("synthetic").setFormat(ImageFormat.FITS)
                .setImage(ByteBuffer.wrap(cut)).setMetadata(Map.of("producer", "astropt demo", "damaged", "truncated"))
                .build();
    }
}
