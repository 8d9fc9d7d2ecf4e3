package org.astropt.stream.app;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.astropt.stream.core.sim.AlertPacketWriter;
import org.astropt.stream.core.sim.AlertSimulator;
import org.astropt.stream.core.sim.AlertSurvey;
import org.astropt.stream.core.sim.AlertTruthCatalogue;
import org.astropt.stream.core.sim.SimulatedAlert;
import org.astropt.stream.core.sim.AlertKind;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Label;

/**
 * The local stack's alert feed: simulated survey alert packets ({@link AlertSimulator}, docs/ALERTS.md) sent to an
 * alert topic as the survey's broker publishes them (for ZTF, one Avro container file per message, keyed by
 * candid), at a fixed rate beside the cutout feed. The packets cannot carry their truth (neither survey schema has a
 * free field), so each alert's truth row (kind, real or bogus, ...) is appended to {@code DATA/alerts-ztf/truth.csv}
 * ({@link AlertTruthCatalogue}) before the packet is sent, keyed by {@code source_id} = the candid the pipeline and
 * the server key the alert by: {@code bench/scripts/alert-figures.py} judges the served bogus scores against it.
 * Like the cutout feed, it goes on where the last run in the data folder stopped ({@link DemoFeed#nextIndex}).
 *
 * <p>With a labels topic, a share of the alerts is also labelled there as a team of scanners would label them
 * (real: normal, bogus: artefact:&lt;kind&gt;, {@link AlertKind#objectLabel}), from the simulator's truth: the labels the
 * trainer fits each new alert version's bogus heads on (the token records of alerts carry no truth), so a fine-tuned
 * alert model keeps its flags. Which alerts are labelled is fixed by their index, not by anything the model sees.
 */
final class AlertFeed implements Runnable, AutoCloseable {

    /** The simulator seed of the demo's alerts: not 1, 2 or 27182, which the ZTF starter was trained, fitted and judged on. */
    static final long SEED = 3;
    /** Key of {@link DemoFeed#FEED_STATE}: where the alert stream goes on in the next run. */
    static final String STATE_KEY = "alert-next-index";
    /** Who the labels say labelled the alerts. */
    static final String SCANNER = "demo scanners (simulated)";
    private static final AvroCodec<Label> LABELS = AvroCodec.of(Label.class);

    private final KafkaClientSettings kafka;
    private final String topic;
    private final AlertSimulator simulator;
    private final AlertPacketWriter packets;
    private final Path truth;
    private final long firstIndex;
    private final double rate;
    private final long limit;
    private String labelTopic;
    private double labelFraction;
    private final AtomicLong labelled = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong refusedAlerts = new AtomicLong();
    private final AtomicLong refusedLabels = new AtomicLong();
    /** Kafka's reason for the first refusal, for the console line. */
    private volatile String firstRefusal;
    private volatile Throwable failure;
    private Thread thread;
    private Path data;

    /**
     * @param truth      the truth.csv rows are appended to (its header written when it is new)
     * @param firstIndex alert index to start at (a second run goes on, so candids do not repeat)
     * @param limit      alerts to send, or Long.MAX_VALUE until stopped
     */
    AlertFeed(KafkaClientSettings kafka, String topic, AlertSimulator simulator, AlertPacketWriter packets, Path truth,
            long firstIndex, double rate, long limit) {
        if (rate <= 0) throw new IllegalArgumentException("--alert-rate " + rate + ": must be positive");
        if (packets.survey() != simulator.survey()) {
            throw new IllegalArgumentException("the simulator draws " + simulator.survey() + " alerts but the packets are " + packets.survey());
        }
        this.kafka = kafka;
        this.topic = topic;
        this.simulator = simulator;
        this.packets = packets;
        this.truth = truth;
        this.firstIndex = firstIndex;
        this.rate = rate;
        this.limit = limit;
    }

    /**
     * Starts feeding packets of the writer's survey (seed {@link #SEED}) to topic from where the last run in the data
     * folder stopped, the truth appended to {@link #truthFile}, labelFraction of them labelled on labelTopic
     * ({@link #labelling}); {@link #close()} stops it and remembers where it stopped.
     */
    static AlertFeed start(KafkaClientSettings kafka, String topic, AlertPacketWriter packets, Path data, double rate, long limit,
            String labelTopic, double labelFraction) throws IOException {
        AlertFeed feed = new AlertFeed(kafka, topic, new AlertSimulator(packets.survey(), SEED), packets, truthFile(data, packets.survey()),
                DemoFeed.nextIndex(data, STATE_KEY), rate, limit).labelling(labelTopic, labelFraction);
        feed.data = data;
        feed.thread = new Thread(feed, "astropt-demo-alert-feed");
        feed.thread.setDaemon(true);
        feed.thread.start();
        return feed;
    }

    /**
     * Also labels labelFraction of the alerts on labelTopic (0: none), as {@link AlertFeed} says; before {@link #run()}.
     */
    AlertFeed labelling(String labelTopic, double labelFraction) {
        if (!(labelFraction >= 0 && labelFraction <= 1)) throw new IllegalArgumentException("--alert-labels " + labelFraction + ": must be between 0 and 1");
        this.labelTopic = labelTopic;
        this.labelFraction = labelFraction;
        return this;
    }

    /** Whether the alert of this index is one the scanners label: a fixed draw from its index. */
    static boolean labels(long index, double fraction) {
        return fraction > 0 && new java.util.SplittableRandom(SEED * 1_000_003L + index).nextDouble() < fraction;
    }

    /** The share of alerts labelled on the labels topic (0: none). */
    double labelFraction() { return labelTopic == null ? 0 : labelFraction; }

    /** Alerts labelled on the labels topic so far in this run. */
    long labelled() { return labelled.get(); }

    /** Where the alert feed of a survey appends its truth in a data folder: DATA/alerts-ztf/truth.csv. */
    static Path truthFile(Path data, AlertSurvey survey) {
        return data.resolve("alerts-" + survey.name().toLowerCase(java.util.Locale.ROOT)).resolve("truth.csv");
    }

    /** Stops the feed (waiting for its last send) and remembers in the data folder where it goes on. */
    @Override
    public void close() throws Exception {
        stop();
        if (thread != null) thread.join(30_000);
        if (data != null) saveNextIndex(data);
    }

    String topic() { return topic; }

    /** The alert index this run started at. */
    long firstIndex() { return firstIndex; }

    /** Alerts sent so far in this run (Kafka may still refuse some: {@link #refusedAlerts}). */
    long sent() { return sent.get(); }

    /** Alerts Kafka refused. */
    long refusedAlerts() { return refusedAlerts.get(); }

    /** Labels Kafka refused (their alerts may have gone through). */
    long refusedLabels() { return refusedLabels.get(); }

    /** Why Kafka refused the first alert or label it refused; null while none was. */
    String firstRefusal() { return firstRefusal; }

    private void refused(AtomicLong counter, String what, Exception e) {
        if (firstRefusal == null) firstRefusal = what + ": " + e.getMessage(); // callbacks run on the producer's one I/O thread
        counter.incrementAndGet();
    }

    Throwable failure() { return failure; }

    void stop() { stop.set(true); }

    /** Remembers in the data folder where the alert stream goes on. */
    void saveNextIndex(Path data) throws IOException { DemoFeed.saveNextIndex(data, STATE_KEY, firstIndex + sent()); }

    @Override
    public void run() {
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProduceCommand.producerProperties(kafka));
             BufferedWriter csv = truthWriter(truth)) {
            for (long n = 0; !stop.get() && n < limit; n++) {
                long due = start + (long) (n * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                SimulatedAlert alert = simulator.alert(firstIndex + n);
                byte[] packet = packets.packet(alert);
                csv.write(AlertTruthCatalogue.row(alert));
                csv.newLine();
                csv.flush(); // the truth is on disk before the alert can be served
                producer.send(new ProducerRecord<>(topic, Long.toString(alert.truth().sourceId()).getBytes(StandardCharsets.UTF_8), packet),
                        (meta, e) -> {
                            if (e != null) refused(refusedAlerts, "alert " + alert.truth().sourceId(), e);
                        });
                if (labelTopic != null && labels(firstIndex + n, labelFraction)) {
                    String id = Long.toString(alert.truth().sourceId());
                    Label label = Label.newBuilder().setId(id).setLabel(alert.truth().kind().objectLabel()).setWho(SCANNER)
                            .setTime(java.time.Instant.now()).setNote("the simulator's truth: " + alert.truth().kind().name().toLowerCase(java.util.Locale.ROOT)).build();
                    producer.send(new ProducerRecord<>(labelTopic, id.getBytes(StandardCharsets.UTF_8), LABELS.encode(label)), (meta, e) -> {
                        if (e != null) refused(refusedLabels, "the label of alert " + id, e);
                    });
                    labelled.incrementAndGet();
                }
                sent.set(n + 1);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Appends to truth.csv, writing its header first when the file is new or empty. */
    static BufferedWriter truthWriter(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        if (!fresh) {
            List<String> first = readFirstLine(file);
            if (!first.equals(List.of(AlertTruthCatalogue.header()))) {
                throw new IllegalStateException(file + " is not an alert truth catalogue (its first line is not the expected header): move it away");
            }
        }
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (fresh) {
            w.write(AlertTruthCatalogue.header());
            w.newLine();
            w.flush(); // a reader never sees a truth file without its header
        }
        return w;
    }

    private static List<String> readFirstLine(Path file) throws IOException {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.limit(1).toList();
        }
    }
}
