package org.astropt.stream.app;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.astropt.stream.core.decode.CutoutDescription;
import org.astropt.stream.core.decode.CutoutInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code astropt inspect FILE...}: HDUs, bands, shapes, value statistics and alert fields. */
@Command(name = "inspect", description = "Show what a cutout file holds: HDUs, bands, shapes, statistics, alert fields.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "FITS, PNG, JPEG or alert packet files.")
    List<Path> files;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CutoutInspector inspector = new CutoutInspector(config.decoder());
        int exit = 0;
        for (Path file : files) {
            CutoutDescription description = inspector.inspect(file);
            spec.commandLine().getOut().print(description.toText());
            if (!description.decodes()) {
                spec.commandLine().getErr().println("astropt: " + file + ": " + description.problem());
                exit = AstroptCli.EXIT_BAD_INPUT;
            }
        }
        spec.commandLine().getOut().flush();
        return exit;
    }
}
