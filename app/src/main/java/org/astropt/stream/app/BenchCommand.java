package org.astropt.stream.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code astropt bench WHAT}: throughput measurements, one subcommand per part of the system
 * ({@code bench model} for the network). Figures and the exact commands: docs/BENCHMARKS.md.
 */
@Command(name = "bench", description = "Measure throughput; figures and commands in docs/BENCHMARKS.md.",
        subcommands = {BenchModelCommand.class})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Without a subcommand: say which there are. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("astropt: bench needs a subcommand: "
                + String.join(", ", spec.subcommands().keySet()));
        spec.commandLine().usage(spec.commandLine().getErr());
        return AstroptCli.EXIT_BAD_INPUT;
    }
}
