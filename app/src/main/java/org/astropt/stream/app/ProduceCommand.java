package org.astropt.stream.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.kafka.KafkaClientSettings;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code astropt produce FILES|DIR --bootstrap HOST:PORT [--rate R] [--topic T]}: sends image files to
 * the cutouts topic as Avro Cutout records (single-object encoding), keyed by the object id taken from
 * the file name, format AUTO so the pipeline sniffs the bytes. A folder is walked for the image suffixes
 * below. The bytes travel untouched: a file the pipeline cannot decode becomes a dead letter there.
 *
 * <p>{@code --format raw} sends each file's bytes exactly as they are, no envelope, as a survey's broker publishes
 * alert packets (for a pipeline input of format ztf-alert, rubin-alert or fits): keyed by the alert's candid when
 * the file is an alert packet, else by the file name without its suffix.
 */
@Command(name = "produce", description = "Send image files to the cutouts topic as Avro Cutout records.")
final class ProduceCommand implements Callable<Integer> {

    /** File suffixes taken from a folder, longest first so "x.fits.gz" gives the id "x". */
    static final List<String> SUFFIXES = List.of(".fits.gz", ".fits", ".fz", ".png", ".jpeg", ".jpg", ".avro");

    @Parameters(arity = "1..*", paramLabel = "FILES|DIR", description = "Image files, or folders walked for "
            + ".fits, .fits.gz, .fz, .png, .jpg, .jpeg and .avro files.")
    List<Path> inputs;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "R",
            description = "Records per second; 0 sends as fast as Kafka takes them (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--topic", paramLabel = "T", description = "Topic (default: the cutouts topic of config/topics.properties, astropt.cutouts).")
    String topic;

    /** What goes on the topic: the Cutout envelope, or the file's bytes as they are. */
    enum Format { cutout, raw }

    @Option(names = "--format", defaultValue = "cutout", paramLabel = "cutout|raw",
            description = "cutout: Avro Cutout records (default); raw: each file's bytes exactly as they are (alert packets"
                    + " as a survey publishes them, raw FITS), keyed by the alert's candid or the file name.")
    Format format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rate < 0) throw new IllegalArgumentException("--rate " + rate + ": must be 0 (flat out) or positive");
        List<Path> files = files(inputs);
        if (files.isEmpty()) throw new IllegalArgumentException(inputs + ": no .fits, .fits.gz, .fz, .png, .jpg, .jpeg or .avro files");
        String target = topic != null ? topic : Topics.defaults().name(Topics.CUTOUTS);
        AvroCodec<Cutout> codec = AvroCodec.of(Cutout.class);
        CutoutDecoder decoder = new CutoutDecoder();
        long bytes = 0;
        java.util.Queue<String> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(kafka.connect(bootstrap)))) {
            for (int i = 0; i < files.size(); i++) {
                if (rate > 0) pace(start, i);
                Path file = files.get(i);
                byte[] image = Files.readAllBytes(file);
                String id = objectId(file);
                if (format == Format.raw) {
                    String key = decoder.alertFields(image, file.toString()).getOrDefault("candid", id);
                    producer.send(new ProducerRecord<>(target, key.getBytes(StandardCharsets.UTF_8), image), (meta, e) -> {
                        if (e != null) refused.add(file + ": Kafka refused the record: " + e.getMessage());
                    });
                    bytes += image.length;
                    continue;
                }
                Cutout c = Cutout.newBuilder().setId(id).setSurvey(survey(decoder, image, file))
                        .setFormat(ImageFormat.AUTO).setImage(ByteBuffer.wrap(image))
                        .setMetadata(Map.of("file", file.getFileName().toString(), "producer", "astropt produce"))
                        .build();
                producer.send(new ProducerRecord<>(target, id.getBytes(StandardCharsets.UTF_8), codec.encode(c)), (meta, e) -> {
                    if (e != null) refused.add(file + ": Kafka refused the record: " + e.getMessage());
                });
                bytes += image.length;
            }
            producer.flush();
        }
        if (!refused.isEmpty()) {
            // every send is answered by now (flush); one line per file that did not reach the topic
            for (String line : refused) spec.commandLine().getErr().println("astropt: " + line);
            throw new IllegalStateException(refused.size() + " of " + files.size() + " cutouts were not sent");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT, "%d %s (%.1f MB of images) -> %s at %s in %.2f s (%.0f/s)%n",
                files.size(), format == Format.raw ? "files as they are" : "cutouts", bytes / 1e6, target, bootstrap, seconds, files.size() / Math.max(seconds, 1e-9));
        return 0;
    }

    /** Waits until record i is due at the requested rate: the schedule is absolute, so pauses do not add up. */
    private void pace(long start, int i) throws InterruptedException {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }

    /** The producer of produce and the demo feed, connected as kafka says (bootstrap servers, SASL, TLS). */
    static Properties producerProperties(KafkaClientSettings kafka) {
        Properties p = kafka.properties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // Idempotent with acks=all: a retried send is never written twice.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // 5 ms linger batches flat-out sends without adding latency a paced stream would notice.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // Whole FITS cubes can pass 1 MB, the broker's default; the cutouts topic takes 16 MB (config/topics.properties).
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(org.astropt.stream.flink.KafkaEdges.MAX_RECORD_BYTES));
        return p;
    }

    /** The files named, with folders walked (sorted, so two runs send the same order). */
    static List<Path> files(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> walk = Files.walk(in)) {
                    walk.filter(Files::isRegularFile).filter(p -> suffix(p) != null).sorted().forEach(out::add);
                }
            } else if (Files.isRegularFile(in)) {
                out.add(in);
            } else {
                throw new java.nio.file.NoSuchFileException(in.toString());
            }
        }
        return out;
    }

    private static String suffix(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String s : SUFFIXES) if (name.endsWith(s) && name.length() > s.length()) return s;
        return null;
    }

    /** The object id: the file name without its image suffix (sim-000001.fits.gz -> sim-000001). */
    static String objectId(Path file) {
        String name = file.getFileName().toString();
        String s = suffix(file);
        return s == null ? name : name.substring(0, name.length() - s.length());
    }

    /** The survey from the image's own metadata (FITS SURVEY or TELESCOP, alert fields), else "unknown". */
    static String survey(CutoutDecoder decoder, byte[] image, Path file) {
        try {
            Map<String, String> m = decoder.decode(image, file.toString(), ImageFormat.AUTO, null, null).metadata();
            for (String key : List.of("survey", "SURVEY", "TELESCOP", "INSTRUME")) {
                String v = m.get(key);
                if (v != null && !v.isBlank()) return v.trim();
            }
        } catch (InvalidCutoutException e) {
            // sent anyway: the pipeline turns it into a dead letter with these exact bytes
        }
        return "unknown";
    }
}
