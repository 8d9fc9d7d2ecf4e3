package org.astropt.stream.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One settings file of the project (config/*.properties), read through typed getters. Every settings class
 * (AstroptConfig, PipelineSettings, TrainerSettings, ServerSettings, Topics) is a list of keys and defaults
 * over this class, so the rules live here once:
 * <ul>
 *   <li>a key that is absent or empty keeps the default in code;</li>
 *   <li>a value that does not parse is an error, never a silent default, and its one-line message names where
 *       the value came from (the file, or the command line), the key and the value:
 *       {@code config/trainer.properties: trainer.every = 'ten' is not a whole number};</li>
 *   <li>{@link #readIfPresent}: an absent file is the defaults in code (the "exists ? load : defaults" of the
 *       commands' default files); {@link #read}: the file must exist.</li>
 * </ul>
 * A Flink job carries {@link #properties()} (a Properties is Serializable) and reads them again here.
 */
public final class SettingsFile {

    /** Where a value from {@link #with} came from, in error messages. */
    public static final String COMMAND_LINE = "the command line";

    private static final String DURATION_EXAMPLES = "a duration: write e.g. 500ms, 30s, 10m or 2h";

    private final Properties properties;
    /** The file (or other origin) of the values, or null for settings made in code. */
    private final String source;
    /** Keys laid over the file, and where each came from. */
    private final Map<String, String> overriddenBy;

    private SettingsFile(Properties properties, String source, Map<String, String> overriddenBy) {
        this.properties = properties;
        this.source = source;
        this.overriddenBy = Map.copyOf(overriddenBy);
    }

    /** No keys: every getter gives its default. */
    public static SettingsFile defaults() {
        return new SettingsFile(new Properties(), null, Map.of());
    }

    /** Settings made in code (tests, the local stack); errors name only the key. */
    public static SettingsFile of(Properties properties) {
        return new SettingsFile((Properties) properties.clone(), null, Map.of());
    }

    /** A file that must exist: the user named it. */
    public static SettingsFile read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return new SettingsFile(p, file.toString(), Map.of());
    }

    /** A file a command looks for by default: its keys when it exists, else the defaults in code. */
    public static SettingsFile readIfPresent(Path file) throws IOException {
        return Files.exists(file) ? read(file) : defaults();
    }

    /** These settings with values laid over them (null values are skipped); errors on them name {@code origin}. */
    public SettingsFile with(Map<String, String> values, String origin) {
        Properties p = (Properties) properties.clone();
        Map<String, String> by = new HashMap<>(overriddenBy);
        values.forEach((k, v) -> {
            if (v != null) {
                p.setProperty(k, v);
                by.put(k, origin == null ? "" : origin);
            }
        });
        return new SettingsFile(p, source, by);
    }

    /** These settings with values laid over them by the program itself (no origin in error messages). */
    public SettingsFile with(Map<String, String> values) {
        return with(values, null);
    }

    /** The file read, or null for settings made in code or defaults. */
    public String source() { return source; }

    /** A copy of every key and value, for code that carries them on (a Flink job's core settings). */
    public Properties properties() { return (Properties) properties.clone(); }

    /** True when the key has a non-empty value. */
    public boolean has(String key) { return value(key) != null; }

    public String string(String key, String fallback) {
        String v = value(key);
        return v == null ? fallback : v;
    }

    public long longValue(String key, long fallback) {
        String v = value(key);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "a whole number");
        }
    }

    public int intValue(String key, int fallback) {
        long v = longValue(key, fallback);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw bad(key, value(key), "a 32-bit whole number");
        return (int) v;
    }

    public double doubleValue(String key, double fallback) {
        String v = value(key);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "a number");
        }
    }

    /** true or false (any case); anything else is an error, so "yes" or "1" are not read as false. */
    public boolean booleanValue(String key, boolean fallback) {
        String v = value(key);
        if (v == null) return fallback;
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw bad(key, v, "true or false");
    }

    /** A duration as {@link #duration(String)} reads it (10m, 30s...). */
    public Duration duration(String key, Duration fallback) {
        String v = value(key);
        if (v == null) return fallback;
        try {
            return duration(v);
        } catch (IllegalArgumentException e) {
            throw bad(key, v, DURATION_EXAMPLES);
        }
    }

    /** A constant of the enum, named in any case. */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E fallback) {
        String v = value(key);
        if (v == null) return fallback;
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String known = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
            throw bad(key, v, "one of " + known);
        }
    }

    /** A comma-separated list; items are trimmed and empty ones dropped. */
    public List<String> list(String key, List<String> fallback) {
        String v = value(key);
        if (v == null) return fallback;
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Every {@code <prefix><rest>=<value>} as {@code <rest>=<value>} (values trimmed, in key order), e.g. the
     * Kafka producer settings under {@code pipeline.producer.}; a key that is the prefix alone is left out.
     */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                out.put(key.substring(prefix.length()), properties.getProperty(key).trim());
            }
        }
        return out;
    }

    /** A key that was renamed: set to a value, it is an error that gives the new name (not a silent default). */
    public void refuseRenamed(String oldKey, String newKey) {
        String v = value(oldKey);
        if (v != null) {
            throw new BadSetting(where(oldKey) + oldKey + " = '" + v + "': the key is now " + newKey, null);
        }
    }

    /** A key that was removed: set to a value, it is an error saying why (not silently ignored). */
    public void refuseRemoved(String key, String why) {
        String v = value(key);
        if (v != null) {
            throw new BadSetting(where(key) + key + " = '" + v + "': the key is gone: " + why, null);
        }
    }

    /**
     * Builds a settings object whose constructor checks ranges: its one-line error, which starts with the key,
     * gets where the value came from in front ({@code config/trainer.properties: trainer.batch-size must be ...}).
     */
    public <T> T build(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (BadSetting e) {
            throw e; // a getter's error names its origin already
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            int end = 0;
            while (end < message.length() && !Character.isWhitespace(message.charAt(end)) && message.charAt(end) != '=') end++;
            String key = message.substring(0, end);
            String where = properties.containsKey(key) || overriddenBy.containsKey(key) ? where(key) : prefix(source);
            if (where.isEmpty()) throw e;
            throw new BadSetting(where + message, e);
        }
    }

    /** "10m", "30s", "2h", "500ms", or ISO-8601 ("PT10M"); anything else is a one-line error. */
    public static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) return Duration.parse(t.toUpperCase(Locale.ROOT));
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                default: break;
            }
        } catch (RuntimeException e) {
            // fall through to the one-line error
        }
        throw new IllegalArgumentException("'" + text + "' is not " + DURATION_EXAMPLES);
    }

    /** The trimmed value, or null when the key is absent or empty. */
    private String value(String key) {
        String v = properties.getProperty(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private IllegalArgumentException bad(String key, String value, String expected) {
        return new BadSetting(where(key) + key + " = '" + value + "' is not " + expected, null);
    }

    /** "FILE: " (or "the command line: ") for a key's value; empty for settings made in code. */
    private String where(String key) {
        return overriddenBy.containsKey(key) ? prefix(overriddenBy.get(key)) : prefix(source);
    }

    private static String prefix(String origin) {
        return origin == null || origin.isEmpty() ? "" : origin + ": ";
    }

    /** An error whose message already says where the value came from. */
    private static final class BadSetting extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadSetting(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
