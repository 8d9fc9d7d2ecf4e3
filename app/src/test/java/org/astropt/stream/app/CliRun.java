package org.astropt.stream.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

/** One in-process run of the CLI: its exit code and what it wrote to stdout and stderr. */
record CliRun(int exit, String out, String err) {

    static CliRun of(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] argv = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
        int exit = AstroptCli.run(argv, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(exit, out.toString(), err.toString());
    }

    List<String> outLines() { return out.lines().filter(l -> !l.isBlank()).toList(); }

    /** stderr lines this program wrote (libtorch's own C++ warnings start otherwise). */
    List<String> errorLines() { return err.lines().filter(l -> l.startsWith("astropt: ")).toList(); }
}
