package org.astropt.stream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.decode.DecodeLimits;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.schemas.ImageFormat;

/**
 * The thread CPU time one cutout costs in the pipeline's first stage, split into decoding its FITS bytes
 * and tokenizing the image: synthetic survey stamps (float32 grz cubes with the survey's 49 header cards,
 * as the pipeline benchmark sends them), decoded and tokenized in turns on one thread, timed with
 * {@link ThreadMXBean#getCurrentThreadCpuTime()} so a shared machine's waits are not charged. Each turn
 * decodes N stamps, then decodes and tokenizes N stamps; tokenize is the difference, so the tokenizer
 * reads an image just decoded, as in the pipeline.
 *
 * <p>Before/after comparisons run it in alternating processes, with the older core classes first on
 * the class path for the "before" runs (docs/BENCHMARKS.md, "Pipeline CPU per cutout"):
 * <pre>
 *   java -cp 'bench/target/benchmarks.jar:bench/target/lib/*' org.astropt.stream.bench.DecodeTokenizeCpu 64 20000 5
 *   java -cp 'OLD/core.jar:bench/target/benchmarks.jar:bench/target/lib/*' org.astropt.stream.bench.DecodeTokenizeCpu 64 20000 5
 * </pre>
 * Arguments: side in pixels (64), cutouts per turn (20,000), turns (5; the first is warm-up and is not
 * in the median). -Dastropt.bench.stamps=N (default 32) sets how many distinct stamps go round: 32 stay in
 * the caches; a few thousand (as many megabytes as the pipeline streams through between two reads of one
 * stamp) do not. Prints one line per turn and a line of medians: us of thread CPU per cutout.
 */
public final class DecodeTokenizeCpu {

    private DecodeTokenizeCpu() {}

    public static void main(String[] args) throws Exception {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int perTurn = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int turns = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        SyntheticSurvey survey = new SyntheticSurvey(11, size, Integer.getInteger("astropt.bench.stamps", 32));
        List<byte[]> stamps = new ArrayList<>();
        for (int i = 0; i < survey.count(); i++) stamps.add(SurveyWriter.fitsBytes(survey.galaxy(i)));
        CutoutDecoder decoder = new CutoutDecoder(DecodeLimits.defaults());
        PatchTokenizer tokenizer = new PatchTokenizer(TokenizerSettings.defaults());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] decode = new double[turns], tokenize = new double[turns];
        long sink = 0;
        for (int t = 0; t < turns; t++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < perTurn; i++) {
                int k = i % stamps.size();
                CutoutImage image = decoder.decode(stamps.get(k), "stamp", ImageFormat.FITS, null, null);
                sink += image.metadata().size();
            }
            long mid = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < perTurn; i++) { // tokenize the image just decoded, in cache as in the pipeline
                CutoutImage image = decoder.decode(stamps.get(i % stamps.size()), "stamp", ImageFormat.FITS, null, null);
                sink += tokenizer.tokenize("stamp", image).data().length;
            }
            long end = threads.getCurrentThreadCpuTime();
            decode[t] = (mid - start) / 1e3 / perTurn;
            tokenize[t] = ((end - mid) - (mid - start)) / 1e3 / perTurn;
            System.out.printf(Locale.ROOT, "turn %d: decode %.1f us, tokenize %.1f us per %dx%d cutout%n",
                    t, decode[t], tokenize[t], size, size);
        }
        System.out.printf(Locale.ROOT, "median of turns 1..%d: decode %.1f us, tokenize %.1f us (%d header cards,"
                        + " checksum %d)%n", turns - 1, median(decode), median(tokenize),
                stampCards(stamps.get(0)), sink % 7);
    }

    private static double median(double[] values) {
        double[] v = Arrays.copyOfRange(values, values.length > 1 ? 1 : 0, values.length);
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static int stampCards(byte[] fits) {
        for (int card = 0; card * 80 + 3 <= fits.length; card++) {
            int at = card * 80;
            if (fits[at] == 'E' && fits[at + 1] == 'N' && fits[at + 2] == 'D' && fits[at + 3] == ' ') return card;
        }
        return -1;
    }
}
