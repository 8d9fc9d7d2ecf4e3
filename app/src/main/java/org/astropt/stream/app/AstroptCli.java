package org.astropt.stream.app;

import java.io.PrintWriter;
import org.astropt.stream.core.InvalidCutoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code astropt} command line. Run it through the launcher, which builds the jar on first use:
 *
 * <pre>
 *   bin/astropt demo
 *   bin/astropt simulate --count 100 --size 64 --seed 1 --out data/sim
 *   bin/astropt simulate-alerts --survey ztf --count 1000 --seed 1 --out data/alerts-ztf
 *   bin/astropt inspect data/sim/fits/sim-000000.fits
 *   bin/astropt tokenize data/sim/fits/sim-000000.fits --out tokens.npy
 *   bin/astropt train --simulate 2000 --preset 1M --steps 300 --out models/sim-1m
 *   bin/astropt embed data/sim/fits/*.fits --weights models/sim-1m
 *   bin/astropt evaluate --model models/sim-1m --simulate 1000 --seed 9001
 *   bin/astropt bench model --preset 12M --tokens 256 --batch 32
 *   bin/astropt produce data/sim/fits --bootstrap localhost:9092 --rate 100
 *   bin/astropt pipeline --bootstrap localhost:9092
 *   bin/astropt train --bootstrap localhost:9092 --continuous --every 10000 --max-wait 10m
 *   bin/astropt models list --bootstrap localhost:9092
 * </pre>
 *
 * <p>Errors in the user's input end with exit code 2 and one line on stderr that names the input and
 * the problem; {@code --verbose} adds the stack trace.
 */
@Command(name = "astropt", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, // --help on every command
        version = "astropt-stream 0.1.0",
        description = "AstroPT galaxy-image embeddings for survey and alert streams.",
        subcommands = {DemoCommand.class, SimulateCommand.class, SimulateAlertsCommand.class, InspectCommand.class, TokenizeCommand.class,
                TrainCommand.class, EmbedCommand.class, BenchCommand.class, ProduceCommand.class,
                PipelineCommand.class, BackfillCommand.class, ServeCommand.class, ModelsCommand.class, EvaluateCommand.class,
                HeadsCommand.class})
public final class AstroptCli {

    /** Usage errors and bad input: the convention of most Unix tools, and what picocli uses for usage. */
    static final int EXIT_BAD_INPUT = 2;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code (tests call this directly). */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new AstroptCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.originalArgs().contains("--verbose");
            commandLine.getErr().println("astropt: " + oneLine(e));
            if (verbose) e.printStackTrace(commandLine.getErr());
            commandLine.getErr().flush();
            return EXIT_BAD_INPUT;
        });
        return cli.execute(args);
    }

    /** One line that says what went wrong: the input and the problem, never a stack trace. */
    static String oneLine(Throwable e) {
        if (e instanceof InvalidCutoutException) return e.getMessage();
        String message = e.getMessage();
        if (message == null || message.isBlank()) message = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.NoSuchFileException) message = message + ": no such file";
        if (e instanceof java.nio.file.AccessDeniedException) message = message + ": permission denied";
        return message.replace('\n', ' ');
    }
}
