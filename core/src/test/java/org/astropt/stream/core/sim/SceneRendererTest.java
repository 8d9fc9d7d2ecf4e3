package org.astropt.stream.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The renderer's building blocks: pixel integration, PSF, FFT convolution, noise. */
class SceneRendererTest {

    private static final int SIZE = 64;

    /** A scene holding only the given bulge (no disc, arms or neighbours), PSF FWHM 5 px in every band. */
    private static Scene bulgeOnly(double n, double rePx, double q, double pa, double flux) {
        double[] f = {flux, flux, flux};
        Scene.Component bulge = new Scene.Component(31.5, 31.5, n, rePx, q, pa, f);
        Scene.Component disc = new Scene.Component(31.5, 31.5, 1, 5, 1, 0, new double[3]);
        return new Scene(Morphology.ELLIPTICAL, 0.1, 31.5, 31.5, pa, 0, bulge, disc, null,
                new double[] {5, 5, 5}, new double[] {0.005, 0.005, 0.005}, new double[] {0.3, 0.3, 0.3},
                List.of(), List.of());
    }

    @Test
    void compactSersicProfilesKeepTheirFluxThroughPixelisationAndPsf() {
        SceneRenderer r = new SceneRenderer(SIZE);
        for (double n : new double[] {1, 2.5, 4, 6}) {
            double[][][] m = r.model(bulgeOnly(n, 1.9, 0.7, 30, 100));   // r_e = 0.5 arcsec, the smallest drawn
            double sum = 0;
            for (double[] row : m[1]) for (double v : row) sum += v;
            // Under 0.5 % lost to the PSF beyond the cutout and to the unresolved cusp.
            assertEquals(100, sum, 0.5, "n = " + n);
        }
    }

    @Test
    void moffatHalfMaximumIsAtHalfTheFwhmAndTheKernelSumsToOne() {
        MoffatPsf psf = new MoffatPsf(5.0);
        assertEquals(0.5 * psf.density(0), psf.density(2.5 * 2.5), 1e-12);
        double sum = 0;
        for (double[] row : psf.kernel(24)) for (double v : row) sum += v;
        assertEquals(1, sum, 1e-12);
    }

    @Test
    void fftConvolutionEqualsDirectConvolution() {
        int n = 32;
        FftConvolver fft = new FftConvolver(n);
        SplittableRandom rng = new SplittableRandom(1);
        double[][] images = new double[3][n * n];
        for (double[] img : images) {
            for (int y = 4; y < 28; y++) for (int x = 4; x < 28; x++) img[y * n + x] = rng.nextDouble();
        }
        double[][][] kernels = {new MoffatPsf(3).kernel(4), new MoffatPsf(4).kernel(4), new MoffatPsf(2.5).kernel(4)};
        double[][] out = fft.convolveBands(images, kernels, 0, n);
        for (int b = 0; b < 3; b++) {
            for (int y = 4; y < 28; y++) {
                for (int x = 4; x < 28; x++) {
                    double direct = 0;
                    for (int dy = -4; dy <= 4; dy++) {
                        for (int dx = -4; dx <= 4; dx++) direct += images[b][(y - dy) * n + (x - dx)] * kernels[b][dy + 4][dx + 4];
                    }
                    assertEquals(direct, out[b][y * n + x], 1e-12, "band " + b + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void noiseHasTheStatedSigmaOnBlankSkyAndGrowsOnBrightSources() {
        SceneRenderer r = new SceneRenderer(SIZE);
        Scene scene = bulgeOnly(1, 3, 1, 0, 2000);
        double[][][] model = r.model(scene);
        float[][][] observed = r.observe(model, scene, new SplittableRandom(5));
        double skyVar = 0, coreVar = 0, coreModelMean = 0;
        int skyN = 0, coreN = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double d = observed[1][y][x] - model[1][y][x];
                if (model[1][y][x] < 0.01) { skyVar += d * d; skyN++; }
                if (model[1][y][x] > 5) { coreVar += d * d; coreN++; coreModelMean += model[1][y][x]; }
            }
        }
        assertTrue(skyN > 300 && coreN > 10, skyN + " sky and " + coreN + " core pixels");
        assertEquals(0.005, Math.sqrt(skyVar / skyN), 0.0005);
        // Shot noise: variance sigma^2 + source / gain, gain = sky / (0.8 sigma^2) electrons per nanomaggy.
        double gain = 0.3 / (0.8 * 0.005 * 0.005);
        double expected = 0.005 * 0.005 + coreModelMean / coreN / gain;
        assertEquals(expected, coreVar / coreN, 0.3 * expected);
    }
}
