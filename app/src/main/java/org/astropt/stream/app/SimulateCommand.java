package org.astropt.stream.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import org.astropt.stream.core.sim.ArtefactKind;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code astropt simulate --count N --size 64 --seed S --out DIR}: a seeded synthetic grz survey with
 * known truth and labelled artefacts. Writes DIR/fits/ID.fits (truth in the header), DIR/png/ID.png
 * (asinh RGB previews) and DIR/truth.csv.
 */
@Command(name = "simulate", description = "Write a seeded synthetic grz survey: FITS cubes, PNG previews, truth.csv.")
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--count", defaultValue = "100", paramLabel = "N", description = "Cutouts to make (default ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PIXELS",
            description = "Side of each square cutout (default ${DEFAULT-VALUE}; AstroPT v1 used 512 at 0.262\"/pixel).")
    int size;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Survey seed: the same seed gives the same pixels (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--artefact-fraction", defaultValue = "" + SyntheticSurvey.DEFAULT_ARTEFACT_FRACTION,
            paramLabel = "F", description = "Share of cutouts with injected artefacts (default ${DEFAULT-VALUE}).")
    double artefactFraction;

    @Option(names = "--novel-fraction", defaultValue = "0", paramLabel = "F",
            description = "Share of cutouts that are novel objects (mergers, rings, lensed arcs) for judging novelty; keep 0 for"
                    + " training data (default ${DEFAULT-VALUE}).")
    double novelFraction;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        SyntheticSurvey survey = new SyntheticSurvey(seed, size, count, artefactFraction,
                EnumSet.allOf(ArtefactKind.class)).withNovelFraction(novelFraction);
        long written = new SurveyWriter(out).write(survey);
        spec.commandLine().getOut().printf("%d cutouts of %dx%d grz (seed %d) -> %s/fits, %s/png, %s/truth.csv%n",
                written, size, size, seed, out, out, out);
        return 0;
    }
}
