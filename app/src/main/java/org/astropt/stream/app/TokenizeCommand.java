package org.astropt.stream.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.io.Npy;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.core.token.TokenizerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code astropt tokenize FILE... --out tokens.npy}: AstroPT v1 tokens of one cutout as a float32
 * NumPy array [T][patch*patch*C] in sequence order (centre first). Several single-band files (the
 * DECaLS g, r, z crops, say) are combined as bands in the order given.
 */
@Command(name = "tokenize", description = "Write a cutout's AstroPT tokens as a float32 [T][patch*patch*C] .npy file.")
final class TokenizeCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "One cutout file, or several single-band files combined as bands in this order.")
    List<Path> files;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .npy file.")
    Path out;

    @Option(names = "--size", paramLabel = "N",
            description = "Crop side in pixels (centre crop, or zero padding when larger than the image).")
    Integer size;

    @Option(names = "--patch", paramLabel = "P", description = "Patch side in pixels (AstroPT v1: 16).")
    Integer patch;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        CutoutDecoder decoder = config.decoder();
        CutoutImage image = files.size() == 1 ? decoder.decode(files.get(0)) : decoder.decodeBands(files);
        TokenizerSettings settings = config.config().tokenizerSettings();
        if (patch != null) settings = settings.withPatchSize(patch);
        if (size != null) settings = settings.withSize(size);
        Tokens tokens = new PatchTokenizer(settings).tokenize(String.valueOf(files.get(0).getFileName()), image);
        Npy.write(out, new int[] {tokens.tokenCount(), tokens.tokenDim()}, tokens.data());
        spec.commandLine().getOut().printf(Locale.ROOT,
                "%s: %d bands %s, %dx%d -> crop %d, grid %dx%d, %d tokens x %d values, NaN fraction %.4f -> %s%n",
                files.get(0), image.bandCount(), image.bands(), image.width(), image.height(), tokens.cropSize(),
                tokens.gridSize(), tokens.gridSize(), tokens.tokenCount(), tokens.tokenDim(), tokens.nanFraction(), out);
        return 0;
    }
}
