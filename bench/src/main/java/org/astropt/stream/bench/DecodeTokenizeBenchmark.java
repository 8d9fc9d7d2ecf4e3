package org.astropt.stream.bench;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import nom.tam.fits.Fits;
import nom.tam.fits.FitsFactory;
import nom.tam.util.FitsOutputStream;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.decode.DecodeLimits;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.schemas.ImageFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pipeline's first stage on one core: FITS bytes of a grz float32 cube to AstroPT tokens.
 * Target: a 256x256x3 cutout in under 1 ms, so that this stage stays below 5% of embedding it.
 *
 * <pre>
 *   ./mvnw -B -q -DskipTests -pl bench -am package
 *   taskset -c 0 java -jar bench/target/benchmarks.jar DecodeTokenize
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@Threads(1)
public class DecodeTokenizeBenchmark {

    /** Side of the square cutout in pixels: a typical alert stamp and a typical survey cutout. */
    @Param({"64", "256"})
    int size;

    private byte[] fits;
    private CutoutDecoder decoder;
    private PatchTokenizer tokenizer;

    @Setup
    public void setUp() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        float[][][] cube = new float[3][size][size];
        for (float[][] band : cube) {
            for (float[] row : band) {
                for (int x = 0; x < row.length; x++) row[x] = (float) (random.nextGaussian() * 0.01 + 0.1);
            }
        }
        FitsFactory.setUseAsciiTables(false);
        try (Fits f = new Fits(); ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             FitsOutputStream out = new FitsOutputStream(bytes)) {
            f.addHDU(Fits.makeHDU(cube));
            f.write(out);
            out.flush();
            fits = bytes.toByteArray();
        }
        decoder = new CutoutDecoder(DecodeLimits.defaults());
        tokenizer = new PatchTokenizer(TokenizerSettings.defaults());
    }

    @Benchmark
    public Object decodeAndTokenize() {
        CutoutImage image = decoder.decode(fits, "bench.fits", ImageFormat.FITS, null, null);
        return tokenizer.tokenize(image);
    }

    @Benchmark
    public Object decodeOnly() {
        return decoder.decode(fits, "bench.fits", ImageFormat.FITS, null, null);
    }
}
