package org.astropt.stream.core.model;

import java.nio.file.Path;

/** Where the shared reference fixtures are: surefire passes the shared folder as astropt.shared. */
final class Fixtures {

    private Fixtures() {}

    static Path tiny() {
        return Path.of(System.getProperty("astropt.shared", "../shared"), "fixtures", "astropt-v1-tiny");
    }
}
