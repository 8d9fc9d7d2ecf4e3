package org.astropt.stream.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.io.Npy;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticGalaxy;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code astropt demo}: the main job. Until the local stack (Kafka broker, Flink mini cluster,
 * trainer, server) exists, it runs the stream's first stage in one process: simulate cutouts, wrap
 * each as the Avro Cutout record a producer would send to astropt.cutouts, encode and decode it as
 * the topic would carry it, decode the FITS bytes, and tokenize them as AstroPT v1 does.
 */
@Command(name = "demo", description = "Run the stream's first stage on simulated cutouts: encode, decode, tokenize.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--count", defaultValue = "12", paramLabel = "N", description = "Cutouts to simulate (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PIXELS", description = "Cutout side (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Survey seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "data/demo", paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        // Rendered once: the same galaxies are written to disk and then sent as a producer would.
        List<SyntheticGalaxy> galaxies = new SyntheticSurvey(seed, size, count).galaxies();
        new SurveyWriter(out).write(galaxies.stream());
        Path tokenDir = Files.createDirectories(out.resolve("tokens"));

        AvroCodec<Cutout> codec = AvroCodec.of(Cutout.class);
        CutoutDecoder decoder = config.decoder();
        PatchTokenizer tokenizer = new PatchTokenizer(config.config().tokenizerSettings());
        stdout.printf(Locale.ROOT, "%-22s %-34s %7s %6s %9s %6s%n", "object", "artefacts", "bytes", "grid", "tokens", "NaN");
        long tokenTotal = 0;
        for (SyntheticGalaxy galaxy : galaxies) {
            byte[] fits = Files.readAllBytes(out.resolve("fits").resolve(galaxy.id() + ".fits"));
            byte[] record = codec.encode(cutoutRecord(galaxy, fits));          // what the producer sends
            Cutout received = codec.decode(record);                     // what the pipeline reads
            CutoutImage image = decoder.decode(received);
            Tokens tokens = tokenizer.tokenize(received.getId(), image);
            Npy.write(tokenDir.resolve(received.getId() + ".npy"), new int[] {tokens.tokenCount(), tokens.tokenDim()},
                    tokens.data());
            tokenTotal += tokens.tokenCount();
            List<String> artefacts = galaxy.truth().artefactLabels();
            stdout.printf(Locale.ROOT, "%-22s %-34s %7d %3dx%-2d %4dx%-4d %6.3f%n", received.getId(),
                    artefacts.isEmpty() ? "-" : String.join(",", artefacts), record.length, tokens.gridSize(),
                    tokens.gridSize(), tokens.tokenCount(), tokens.tokenDim(), tokens.nanFraction());
        }
        stdout.printf(Locale.ROOT, "%n%d cutouts -> %d tokens. FITS cubes in %s, previews in %s, tokens in %s, truth in %s%n",
                count, tokenTotal, out.resolve("fits"), out.resolve("png"), tokenDir, out.resolve("truth.csv"));
        stdout.flush();
        return 0;
    }

    /** The Cutout record a survey producer would send for this galaxy's FITS file. */
    static Cutout cutoutRecord(SyntheticGalaxy galaxy, byte[] fits) {
        return Cutout.newBuilder()
                .setId(galaxy.id())
                .setSurvey("synthetic")
                .setBands(galaxy.image().bands())
                .setFormat(ImageFormat.FITS)
                .setImage(java.nio.ByteBuffer.wrap(fits))
                .setMetadata(Map.of("artefacts", String.join(",", galaxy.truth().artefactLabels())))
                .build();
    }
}
