package org.astropt.stream.flink;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * The topics the pipeline reads and how each message is encoded: {@code pipeline.inputs}, a comma-separated
 * list of {@code <topic>=<format>} entries, a topic written {@code /regex/} standing for every topic it
 * matches (ZTF publishes one topic a night and program: {@code /ztf_\d{8}_programid1/=ztf-alert}). The first
 * entry that matches a topic gives its format. Unset: the cutouts topic in the cutout envelope, as before.
 * docs/PIPELINE.md, "Inputs and formats".
 */
public record PipelineInputs(List<Input> inputs) implements Serializable {

    /** How the messages of one input are encoded. */
    public enum Format {
        /** This project's Cutout envelope (schemas/Cutout.avsc), key = object id: grz-cutout tokens. */
        CUTOUT("cutout"),
        /** One ZTF alert per message, an Avro object container file with its schema inside, as ZTF publishes them. */
        ZTF_ALERT("ztf-alert"),
        /** One Rubin alert per message: Confluent wire format (byte 0, 4-byte schema id, Avro body). */
        RUBIN_ALERT("rubin-alert"),
        /** The raw bytes of one FITS file (plain or gzipped), key = object id: grz-cutout tokens. */
        FITS("fits");

        private final String id;

        Format(String id) { this.id = id; }

        public String id() { return id; }

        /** Alerts become alert-triplet sequences keyed by their candid; the others grz-cutout ones. */
        public boolean isAlert() { return this == ZTF_ALERT || this == RUBIN_ALERT; }

        public static Format of(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Format f : values()) if (f.id.equals(n)) return f;
            throw new IllegalArgumentException("unknown input format '" + name + "'; known: "
                    + Arrays.stream(values()).map(Format::id).collect(Collectors.joining(", ")));
        }
    }

    /** One topic (or, with {@code pattern}, every topic the regex matches in full) and its format. */
    public record Input(String topic, boolean pattern, Format format) implements Serializable {
        boolean matches(String t) { return pattern ? Pattern.matches(topic, t) : topic.equals(t); }

        @Override
        public String toString() { return (pattern ? "/" + topic + "/" : topic) + "=" + format.id(); }
    }

    public PipelineInputs {
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) throw new IllegalArgumentException("pipeline.inputs lists no topic");
    }

    /** The cutouts topic alone, in the cutout format: what the pipeline read before inputs existed. */
    public static PipelineInputs cutoutsOnly(String cutoutsTopic) {
        return new PipelineInputs(List.of(new Input(cutoutsTopic, false, Format.CUTOUT)));
    }

    /**
     * Parses {@code pipeline.inputs}; null or blank gives {@link #cutoutsOnly}. A bad entry is an
     * IllegalArgumentException starting with the key, naming the entry.
     */
    public static PipelineInputs parse(String value, String cutoutsTopic) {
        if (value == null || value.isBlank()) return cutoutsOnly(cutoutsTopic);
        List<Input> out = new ArrayList<>();
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) continue;
            int eq = entry.lastIndexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("pipeline.inputs entry '" + entry + "' is not <topic>=<format> (formats: "
                        + Arrays.stream(Format.values()).map(Format::id).collect(Collectors.joining(", ")) + ")");
            }
            String topic = entry.substring(0, eq).trim();
            Format format;
            try {
                format = Format.of(entry.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pipeline.inputs entry '" + entry + "': " + e.getMessage());
            }
            boolean pattern = topic.length() > 2 && topic.startsWith("/") && topic.endsWith("/");
            if (pattern) {
                topic = topic.substring(1, topic.length() - 1);
                try {
                    Pattern.compile(topic);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("pipeline.inputs entry '" + entry + "': not a regular expression ("
                            + e.getDescription() + ")");
                }
            } else if (!topic.matches("[a-zA-Z0-9._-]+")) {
                throw new IllegalArgumentException("pipeline.inputs entry '" + entry + "': '" + topic
                        + "' is not a Kafka topic name (letters, digits, '.', '_', '-'; a pattern is written /regex/)");
            }
            out.add(new Input(topic, pattern, format));
        }
        return new PipelineInputs(out);
    }

    /** The format of a topic's messages: the first input that matches it; CUTOUT when none does. */
    public Format formatOf(String topic) {
        if (topic != null) for (Input i : inputs) if (i.matches(topic)) return i.format();
        return Format.CUTOUT;
    }

    /** Whether every input names one topic (the source then subscribes to the list, not a pattern). */
    public boolean literal() { return inputs.stream().noneMatch(Input::pattern); }

    /** The topics of a literal list, in order. */
    public List<String> topics() { return inputs.stream().map(Input::topic).distinct().toList(); }

    /** One pattern matching every input: literal topics quoted, patterns as written. */
    public Pattern subscription() {
        return Pattern.compile(inputs.stream().map(i -> i.pattern() ? "(?:" + i.topic() + ")" : Pattern.quote(i.topic()))
                .collect(Collectors.joining("|")));
    }

    @Override
    public String toString() { return inputs.stream().map(Input::toString).collect(Collectors.joining(", ")); }
}
