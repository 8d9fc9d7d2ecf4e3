package org.astropt.stream.core.sim;

import java.util.SplittableRandom;

/**
 * Turns a {@link Scene} into grz pixels: Sersic bulge and exponential disc (with logarithmic arms) on a
 * padded canvas, for a novel object also its other galaxies, Gaussian clumps (tidal tails, bridges, rings),
 * knots and lensed images ({@link GravitationalLens}), each band convolved with its Moffat PSF by FFT, stars
 * added as pixel-integrated PSFs, then sky shot noise and read noise (its cost per cutout: docs/BENCHMARKS.md).
 *
 * <p>Pixels are integrated by sub-sampling: 3 x 3 per pixel, 15 x 15 within 2 pixels of the galaxy centre
 * and 45 x 45 on the pixels touching it, where a Sersic cusp changes fastest (an n = 6, r_e = 0.5 arcsec
 * bulge keeps 99.8 % of its flux). Each component is scaled by its profile's analytic total, so the
 * rendered flux is the flux the truth states (less the light that falls outside the cutout).
 */
final class SceneRenderer {

    /** PSF kernel radius in pixels: beta = 3.5 Moffats keep 99 % of their light inside 2.3 FWHM of 1.8". */
    static final int PSF_RADIUS = 24;
    /** Truncation radii in units of r_e: bulges at 8 r_e, discs at 4 r_e (6.7 scale lengths). */
    static final double BULGE_TRUNCATION = 8, DISC_TRUNCATION = 4;
    /** Share of the sky noise variance that is photon shot noise; the rest is read noise. */
    static final double SHOT_SHARE = 0.8;
    /** Arm profile: ((1 + cos)/2)^4 across the arm (narrow crests), whose mean over angle is 70/256. */
    private static final double ARM_MEAN = 70.0 / 256;
    /** Arms fade more slowly than the disc: their envelope's scale is this many disc scale lengths. */
    private static final double ARM_ENVELOPE = 1.25;
    /** Sub-samples per pixel side: 3 in general, 15 within 2 px of the centre, 45 on the pixels that touch it. */
    private static final int SUB = 3, NEAR_SUB = 15, NEAR_RADIUS = 2, CORE_SUB = 45, CORE_RADIUS = 1;

    private final int size;
    private final int canvas;
    private final FftConvolver fft;

    SceneRenderer(int size) {
        this.size = size;
        this.canvas = size + 2 * PSF_RADIUS;
        this.fft = new FftConvolver(Integer.highestOneBit(canvas - 1) << 1);
    }

    /** The noiseless scene, PSF-convolved, [band][y][x] in nanomaggies per pixel. */
    double[][][] model(Scene scene) {
        int n = fft.size();
        double[][] band = new double[3][n * n];
        double off = PSF_RADIUS;                          // canvas coordinate of cutout pixel 0
        addComponent(band, n, scene.bulge(), off, BULGE_TRUNCATION);
        addComponent(band, n, scene.disc(), off, DISC_TRUNCATION);
        if (scene.arms() != null) addArms(band, n, scene.disc(), scene.arms(), off);
        for (Scene.Component c : scene.backgroundGalaxies()) addComponent(band, n, c, off, DISC_TRUNCATION);
        if (scene.novel() != null) addNovel(band, n, scene.novel(), off);

        MoffatPsf[] psf = new MoffatPsf[3];
        double[][][] kernels = new double[3][][];
        for (int b = 0; b < 3; b++) {
            psf[b] = new MoffatPsf(scene.psfFwhmPx()[b]);
            kernels[b] = psf[b].kernel(PSF_RADIUS);
        }
        double[][] conv = fft.convolveBands(band, kernels, PSF_RADIUS, PSF_RADIUS + size);
        double[][][] out = new double[3][size][size];
        for (int b = 0; b < 3; b++) {
            for (int y = 0; y < size; y++) {
                System.arraycopy(conv[b], (y + PSF_RADIUS) * n + PSF_RADIUS, out[b][y], 0, size);
            }
            for (Scene.PointSource s : scene.stars()) {
                int radius = s.flux()[1] > 100 ? 2 * size : PSF_RADIUS;   // bright stars: all their wings
                psf[b].addPoint(out[b], s.x(), s.y(), s.flux()[b], radius);
            }
        }
        return out;
    }

    /**
     * Adds sky shot noise and read noise to a model: per pixel sigma^2 = sky sigma^2 + source / gain, where
     * the gain (electrons per nanomaggy) makes the sky's shot noise SHOT_SHARE of its variance. One normal
     * per pixel from {@code rng}, whatever the flux, so pixels never shift each other's noise.
     */
    float[][][] observe(double[][][] model, Scene scene, SplittableRandom rng) {
        float[][][] out = new float[3][][];
        for (int b = 0; b < 3; b++) out[b] = observe(model[b], scene.noiseSigma()[b], scene.skyLevel()[b], rng);
        return out;
    }

    /** One plane of {@link #observe(double[][][], Scene, SplittableRandom)}: sky noise sigma, sky level per pixel. */
    static float[][] observe(double[][] model, double sigma, double sky, SplittableRandom rng) {
        int h = model.length, w = model[0].length;
        float[][] out = new float[h][w];
        double[] z = new double[h * w];
        double gain = sky / (SHOT_SHARE * sigma * sigma);
        Deviates.gaussians(rng, z);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double m = model[y][x];
                double var = sigma * sigma + Math.max(m, 0) / gain;
                out[y][x] = (float) (m + Math.sqrt(var) * z[y * w + x]);
            }
        }
        return out;
    }

    private void addComponent(double[][] band, int n, Scene.Component c, double off, double truncation) {
        if (c.flux()[1] <= 0) return;
        RadialProfile p = RadialProfile.sersic(c.sersicIndex(), c.halfLightPx(), truncation);
        double q = c.axisRatio();
        double[] map = new double[n * n];
        int[] box = paint(map, n, c.x() + off, c.y() + off, c.positionAngleDeg(), p.extent(),
                (a, b) -> p.at(Math.sqrt(a * a + (b / q) * (b / q))));
        addScaled(band, map, n, box, c.flux(), q * p.integral());
    }

    /** Arms: the disc's exponential times a log-spiral pattern, faded out inside the inner radius. */
    private void addArms(double[][] band, int n, Scene.Component disc, Scene.Spiral s, double off) {
        double h = disc.halfLightPx() / RadialProfile.sersicB(1);
        double extent = disc.halfLightPx() * DISC_TRUNCATION;
        double step = h / 100;
        int count = (int) Math.ceil(extent / step) + 2;
        double[] env = new double[count], cosPsi = new double[count], sinPsi = new double[count];
        double tanPitch = StrictMath.tan(StrictMath.toRadians(s.pitchDeg()));
        double integral = 0;
        for (int i = 0; i < count; i++) {
            double r = i * step;
            double fade = 1 - StrictMath.exp(-(r / s.innerRadiusPx()) * (r / s.innerRadiusPx()));
            env[i] = r > extent ? 0 : StrictMath.exp(-r / (ARM_ENVELOPE * h)) * fade;
            double psi = s.phaseRad() + s.chirality() * StrictMath.log(Math.max(r, 0.05 * h) / h) / tanPitch;
            cosPsi[i] = StrictMath.cos(psi);
            sinPsi[i] = StrictMath.sin(psi);
            integral += 2 * Math.PI * r * env[i] * step;
        }
        double q = disc.axisRatio();
        int m = s.count();
        double[] map = new double[n * n];
        int[] box = paint(map, n, disc.x() + off, disc.y() + off, disc.positionAngleDeg(), extent, (a, b) -> {
            double bd = b / q;                                 // deprojected into the disc plane
            double r = Math.sqrt(a * a + bd * bd);
            int i = (int) (r / step);
            if (r == 0 || i >= count) return 0;
            double c1 = a / r, s1 = bd / r, cm = c1, sm = s1; // e^{i m theta} by repeated multiplication
            for (int k = 1; k < m; k++) {
                double t = cm * c1 - sm * s1;
                sm = sm * c1 + cm * s1;
                cm = t;
            }
            double wave = 0.5 * (1 + cm * cosPsi[i] + sm * sinPsi[i]);    // (1 + cos(m theta - psi)) / 2
            double wave2 = wave * wave;
            return env[i] * wave2 * wave2;
        });
        addScaled(band, map, n, box, s.flux(), q * integral * ARM_MEAN);
        for (Scene.PointSource k : s.knots()) splat(band, n, k.x() + off, k.y() + off, k.flux());
    }

    /** What a novel object adds: its other galaxies, clumps (tails, bridges, rings), knots and lensed images. */
    private void addNovel(double[][] band, int n, Scene.Novel novel, double off) {
        for (Scene.Component c : novel.galaxies()) {
            addComponent(band, n, c, off, c.sersicIndex() > 1.5 ? BULGE_TRUNCATION : DISC_TRUNCATION);
        }
        for (Scene.Clump c : novel.clumps()) addClump(band, n, c, off);
        for (Scene.PointSource k : novel.knots()) splat(band, n, k.x() + off, k.y() + off, k.flux());
        Scene.LensedSource lensed = novel.lensed();
        if (lensed != null) {
            double[] flux = lensed.source().flux();
            int shift = (int) off;                                 // the canvas is the cutout moved by whole pixels
            lensed.lens().image(lensed.source(), (px, py, v) -> {
                int cx = px + shift, cy = py + shift;
                if (cx < 0 || cy < 0 || cx >= n || cy >= n) return;
                for (int b = 0; b < 3; b++) band[b][cy * n + cx] += v * flux[b];
            });
        }
    }

    /**
     * A round Gaussian clump, pixel-integrated (SUB x SUB samples while it is under 1.5 pixels wide, where
     * one sample per pixel would be off) and scaled to its flux over its whole box; pixels beyond the
     * canvas are dropped, as the other components' are.
     */
    private static void addClump(double[][] band, int n, Scene.Clump c, double off) {
        double cx = c.x() + off, cy = c.y() + off, s = c.sigmaPx();
        int sub = s < 1.5 ? SUB : 1;
        int reach = (int) Math.ceil(4 * s + 1);
        int x0 = (int) Math.floor(cx) - reach, y0 = (int) Math.floor(cy) - reach, side = 2 * reach + 2;
        double[] w = new double[side * side];
        double total = 0;
        for (int j = 0; j < side; j++) {
            for (int i = 0; i < side; i++) {
                double sum = 0;
                for (int sj = 0; sj < sub; sj++) {
                    double dy = y0 + j - cy + (sj + 0.5) / sub - 0.5;
                    for (int si = 0; si < sub; si++) {
                        double dx = x0 + i - cx + (si + 0.5) / sub - 0.5;
                        sum += StrictMath.exp(-(dx * dx + dy * dy) / (2 * s * s));
                    }
                }
                total += w[j * side + i] = sum;
            }
        }
        for (int b = 0; b < 3; b++) {
            double scale = c.flux()[b] / total;
            for (int j = 0; j < side; j++) {
                int py = y0 + j;
                if (py < 0 || py >= n) continue;
                for (int i = 0; i < side; i++) {
                    int px = x0 + i;
                    if (px >= 0 && px < n) band[b][py * n + px] += scale * w[j * side + i];
                }
            }
        }
    }

    /** A point source before the PSF: its flux shared bilinearly among the four nearest pixels. */
    private static void splat(double[][] band, int n, double x, double y, double[] flux) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        if (x0 < 0 || y0 < 0 || x0 + 1 >= n || y0 + 1 >= n) return;
        for (int b = 0; b < band.length; b++) {
            band[b][y0 * n + x0] += flux[b] * (1 - fx) * (1 - fy);
            band[b][y0 * n + x0 + 1] += flux[b] * fx * (1 - fy);
            band[b][(y0 + 1) * n + x0] += flux[b] * (1 - fx) * fy;
            band[b][(y0 + 1) * n + x0 + 1] += flux[b] * fx * fy;
        }
    }

    @FunctionalInterface
    private interface Density {
        /** Surface brightness at a along the major axis and b along the minor axis, in pixels. */
        double at(double a, double b);
    }

    /**
     * Pixel-integrates a density centred at canvas (cx, cy) with the given position angle into map,
     * out to extent pixels. Returns the box painted, {x0, y0, x1, y1} inclusive.
     */
    private static int[] paint(double[] map, int n, double cx, double cy, double paDeg, double extent, Density f) {
        double pa = StrictMath.toRadians(paDeg);
        double ux = -StrictMath.sin(pa), uy = -StrictMath.cos(pa);   // major axis: up is PA 0, left is 90
        double vx = -uy, vy = ux;
        int x0 = Math.max(0, (int) Math.floor(cx - extent - 1)), x1 = Math.min(n - 1, (int) Math.ceil(cx + extent + 1));
        int y0 = Math.max(0, (int) Math.floor(cy - extent - 1)), y1 = Math.min(n - 1, (int) Math.ceil(cy + extent + 1));
        double reach = (extent + 1) * (extent + 1);
        for (int py = y0; py <= y1; py++) {
            for (int px = x0; px <= x1; px++) {
                double dx = px - cx, dy = py - cy;
                if (dx * dx + dy * dy > reach) continue;
                double far = Math.max(Math.abs(dx), Math.abs(dy));
                int sub = far <= CORE_RADIUS ? CORE_SUB : far <= NEAR_RADIUS ? NEAR_SUB : SUB;
                double sum = 0;
                for (int j = 0; j < sub; j++) {
                    double sy = dy + (j + 0.5) / sub - 0.5;
                    for (int i = 0; i < sub; i++) {
                        double sx = dx + (i + 0.5) / sub - 0.5;
                        sum += f.at(sx * ux + sy * uy, sx * vx + sy * vy);
                    }
                }
                map[py * n + px] = sum / (sub * sub);
            }
        }
        return new int[] {x0, y0, x1, y1};
    }

    /** band[b] += map * flux[b] / integral over the painted box. */
    private static void addScaled(double[][] band, double[] map, int n, int[] box, double[] flux, double integral) {
        for (int b = 0; b < 3; b++) {
            double s = flux[b] / integral;
            for (int y = box[1]; y <= box[3]; y++) {
                for (int x = box[0]; x <= box[2]; x++) band[b][y * n + x] += s * map[y * n + x];
            }
        }
    }
}
