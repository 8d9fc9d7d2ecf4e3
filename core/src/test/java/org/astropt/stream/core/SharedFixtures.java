package org.astropt.stream.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The reference fixtures and sample data of the shared folder (-Dastropt.shared, which surefire sets; else
 * ../shared), and the one rule for a test whose input is missing: with -Dastropt.requireFixtures=true (.ci/run
 * sets it) the test fails, naming the missing file, so a green CI build always ran the parity checks; without
 * it the test is skipped, saying what was missing. Other modules use it through core's test jar.
 */
public final class SharedFixtures {

    /** The system property that turns a missing fixture from a skip into a failure. */
    public static final String REQUIRE = "astropt.requireFixtures";

    private SharedFixtures() {}

    /** The shared folder: -Dastropt.shared, else ../shared beside the module (the working directory). */
    public static Path folder() {
        String property = System.getProperty("astropt.shared");
        return property != null && !property.isBlank() ? Path.of(property) : Path.of("..", "shared");
    }

    /** The reference model AstroPT v1 tiny: its config, weights, one image and what PyTorch made of them. */
    public static Path tiny(String... file) {
        return require(under(Path.of("fixtures", "astropt-v1-tiny"), file));
    }

    /** The reference model AstroPT v1 with 8 px patches (3 bands, 64x64 image, 64 tokens of 192): the alert models' shape. */
    public static Path patch8(String... file) {
        return require(under(Path.of("fixtures", "astropt-v1-patch8"), file));
    }

    /** The real sample files of data/real (SOURCES.md there says where each came from). */
    public static Path realData(String... file) {
        return require(under(Path.of("data", "real"), file));
    }

    /** The file or folder at this path under the shared folder; the test fails or is skipped when it is missing. */
    public static Path require(Path relative) {
        return find(relative).orElseGet(() -> {
            Assumptions.abort(missing(relative) + "; skipped (-D" + REQUIRE + "=true makes this a failure)");
            return null;
        });
    }

    /**
     * The file or folder at this path under the shared folder, for a test that also runs without it (on
     * synthetic data only): empty when it is missing, unless -Dastropt.requireFixtures=true, which fails.
     */
    public static Optional<Path> find(Path relative) {
        Path path = folder().resolve(relative);
        if (Files.exists(path)) return Optional.of(path);
        if (Boolean.getBoolean(REQUIRE)) Assertions.fail(missing(relative) + " and -D" + REQUIRE + "=true");
        return Optional.empty();
    }

    private static Path under(Path folder, String... names) {
        for (String name : names) folder = folder.resolve(name);
        return folder;
    }

    private static String missing(Path relative) {
        return "shared fixture missing: " + folder().resolve(relative).toAbsolutePath().normalize()
                + " (the shared folder is -Dastropt.shared, else ../shared)";
    }
}
