package org.astropt.stream.core.sim;

import static org.astropt.stream.core.sim.Deviates.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Writes instrumental artefacts into observed pixels and returns their labels with where they are.
 * Kinds are applied in enum order, so masks (NAN_BLOCK, CHIP_EDGE) come last and cover what lies under
 * them, as missing data does. Every draw comes from the artefact stream alone.
 */
final class ArtefactInjector {

    private static final List<String> BANDS = BandValues.BANDS;
    /** Share of a saturated star's flux scattered into its wide aureole (DECam halos hold several %). */
    private static final double AUREOLE_SHARE = 0.05;

    private final int size;

    ArtefactInjector(int size) {
        this.size = size;
    }

    /** Injects the given kinds (BLEED_TRAIL is implied by SATURATED_STAR) and returns what was injected. */
    List<Artefact> inject(float[][][] px, Scene scene, Set<ArtefactKind> kinds, SplittableRandom rng) {
        List<Artefact> out = new ArrayList<>();
        for (ArtefactKind kind : new TreeSet<>(kinds)) {
            switch (kind) {
                case SATELLITE_TRAIL -> out.add(trail(px, rng));
                case SATURATED_STAR, BLEED_TRAIL -> {
                    if (out.stream().noneMatch(a -> a.kind() == ArtefactKind.SATURATED_STAR)) out.addAll(saturatedStar(px, scene, rng));
                }
                case BAD_COLUMN -> out.add(badColumn(px, scene, rng));
                case COSMIC_RAY -> out.addAll(cosmicRays(px, rng));
                case NAN_BLOCK -> out.add(nanBlock(px, rng));
                case CHIP_EDGE -> out.add(chipEdge(px, rng));
            }
        }
        return out;
    }

    /** A Gaussian-profile line through a random point at a random angle, in one band (60 %) or all. */
    private Artefact trail(float[][][] px, SplittableRandom rng) {
        double theta = uniform(rng, 0, Math.PI);
        double cx = uniform(rng, 0, size - 1), cy = uniform(rng, 0, size - 1);
        double width = uniform(rng, 0.5, 1.2), peak = uniform(rng, 0.01, 0.2);
        List<Integer> bands = someBands(rng, 0.6);
        double dx = StrictMath.cos(theta), dy = StrictMath.sin(theta);
        for (int b : bands) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double d = (x - cx) * dy - (y - cy) * dx;           // distance from the line
                    px[b][y][x] += (float) (peak * StrictMath.exp(-0.5 * d * d / (width * width)));
                }
            }
        }
        // Where the line crosses the cutout's outer pixel centres: clip the parametric line to the box.
        double tMin = -1e9, tMax = 1e9;
        for (double[] axis : new double[][] {{cx, dx}, {cy, dy}}) {
            if (Math.abs(axis[1]) < 1e-12) continue;
            double t0 = (0 - axis[0]) / axis[1], t1 = (size - 1 - axis[0]) / axis[1];
            tMin = Math.max(tMin, Math.min(t0, t1));
            tMax = Math.min(tMax, Math.max(t0, t1));
        }
        return new Artefact(ArtefactKind.SATELLITE_TRAIL, names(bands), String.format(Locale.ROOT, "sigma=%.2f", width),
                cx + tMin * dx, cy + tMin * dy, cx + tMax * dx, cy + tMax * dy, peak);
    }

    /**
     * An r = 9.5 to 13 star: its light (with shot noise and faint diffraction spikes) clipped at a
     * saturation level, and a vertical bleed column at that level running out of its core.
     */
    private List<Artefact> saturatedStar(float[][][] px, Scene scene, SplittableRandom rng) {
        double x, y;
        do {
            x = uniform(rng, 4, size - 5);
            y = uniform(rng, 4, size - 5);
        } while ((x - scene.centreX()) * (x - scene.centreX()) + (y - scene.centreY()) * (y - scene.centreY()) < 144);
        double[] flux = GalaxyPopulation.bandFluxes(Deviates.flux(uniform(rng, 9.5, 13)), uniform(rng, 0.4, 1.2), uniform(rng, 0.2, 0.9));
        double spikeAngle = StrictMath.toRadians(45 + uniform(rng, -10, 10));
        double peakMin = Double.MAX_VALUE;
        double[][][] star = new double[3][size][size];
        for (int b = 0; b < 3; b++) {
            MoffatPsf psf = new MoffatPsf(scene.psfFwhmPx()[b]);
            psf.addPoint(star[b], x, y, flux[b], 2 * size);
            addAureole(star[b], x, y, flux[b], scene.psfFwhmPx()[b]);
            addSpikes(star[b], x, y, flux[b], scene.psfFwhmPx()[b], spikeAngle);
            peakMin = Math.min(peakMin, flux[b] * psf.pixel(0, 0));
        }
        float level = (float) Math.min(uniform(rng, 20, 60), 0.3 * peakMin);
        double[] z = new double[size * size];
        for (int b = 0; b < 3; b++) {
            double sigma = scene.noiseSigma()[b];
            double gain = scene.skyLevel()[b] / (SceneRenderer.SHOT_SHARE * sigma * sigma);
            Deviates.gaussians(rng, z);
            for (int j = 0; j < size; j++) {
                for (int i = 0; i < size; i++) {
                    double s = star[b][j][i];
                    float v = (float) (px[b][j][i] + s + Math.sqrt(s / gain) * z[j * size + i]);
                    px[b][j][i] = Math.min(v, level);
                }
            }
        }
        int width = (int) GalaxyPopulation.clamp(Math.round(Math.sqrt(flux[1] / 2000)), 1, 7);
        int bx0 = (int) Math.round(x) - width / 2, bx1 = bx0 + width - 1;
        int by0 = Math.max(0, (int) Math.round(y - uniform(rng, 0.5, 1.0) * size));
        int by1 = Math.min(size - 1, (int) Math.round(y + uniform(rng, 0.5, 1.0) * size));
        bx0 = Math.max(0, bx0);
        bx1 = Math.min(size - 1, bx1);
        for (float[][] band : px) {
            for (int j = by0; j <= by1; j++) {
                for (int i = bx0; i <= bx1; i++) band[j][i] = level;
            }
        }
        return List.of(
                new Artefact(ArtefactKind.SATURATED_STAR, BANDS, "r=" + String.format(Locale.ROOT, "%.2f", Deviates.magnitude(flux[1])), x, y, x, y, level),
                new Artefact(ArtefactKind.BLEED_TRAIL, BANDS, "SATURATED", bx0, by0, bx1, by1, level));
    }

    /**
     * The aureole of a bright star: scattered light far beyond the Moffat core, as a beta = 2 Moffat with
     * four times the core's FWHM holding AUREOLE_SHARE of the flux (extra light, not taken from the core).
     */
    private static void addAureole(double[][] img, double x, double y, double flux, double fwhm) {
        double a = 4 * fwhm / (2 * Math.sqrt(Math.sqrt(2) - 1));    // alpha of a beta = 2 Moffat
        double norm = AUREOLE_SHARE * flux / (Math.PI * a * a);
        for (int j = 0; j < img.length; j++) {
            for (int i = 0; i < img[0].length; i++) {
                double u = 1 + ((i - x) * (i - x) + (j - y) * (j - y)) / (a * a);
                img[j][i] += norm / (u * u);
            }
        }
    }

    /** Four faint spikes from the secondary mirror's spider, brightness falling as 1 / distance^1.5. */
    private static void addSpikes(double[][] img, double x, double y, double flux, double fwhm, double angle) {
        double amp = 3e-5 * flux, sigma = 0.6;
        for (int k = 0; k < 2; k++) {
            double dx = StrictMath.cos(angle + k * Math.PI / 2), dy = StrictMath.sin(angle + k * Math.PI / 2);
            for (int j = 0; j < img.length; j++) {
                for (int i = 0; i < img[0].length; i++) {
                    double along = (i - x) * dx + (j - y) * dy, across = (i - x) * dy - (j - y) * dx;
                    if (Math.abs(across) > 4 * sigma) continue;
                    double d = Math.abs(along) / fwhm;
                    img[j][i] += amp * StrictMath.exp(-0.5 * across * across / (sigma * sigma)) / (1 + d * Math.sqrt(d));
                }
            }
        }
    }

    /** One column stuck HOT (level added) or DEAD (set to minus the subtracted sky), full or from a row to an edge. */
    private Artefact badColumn(float[][][] px, Scene scene, SplittableRandom rng) {
        int x = rng.nextInt(size);
        boolean hot = rng.nextBoolean();
        List<Integer> bands = someBands(rng, 0.5);
        int y0 = 0, y1 = size - 1;
        if (rng.nextDouble() < 0.3) {
            int from = rng.nextInt(size);
            if (rng.nextBoolean()) y0 = from; else y1 = from;
        }
        float level = (float) (hot ? uniform(rng, 0.2, 1.0) : -scene.skyLevel()[1]);
        for (int b : bands) {
            for (int y = y0; y <= y1; y++) px[b][y][x] = hot ? px[b][y][x] + level : level;
        }
        return new Artefact(ArtefactKind.BAD_COLUMN, names(bands), hot ? "HOT" : "DEAD", x, y0, x, y1, level);
    }

    /** One to four sharp tracks, 1 to 4 pixels long, all in one band: no PSF, so sharper than any star. */
    private List<Artefact> cosmicRays(float[][][] px, SplittableRandom rng) {
        int band = rng.nextInt(3);
        int hits = 1 + rng.nextInt(4);
        List<Artefact> out = new ArrayList<>();
        for (int h = 0; h < hits; h++) {
            int x = 1 + rng.nextInt(size - 2), y = 1 + rng.nextInt(size - 2);
            int len = 1 + rng.nextInt(4);
            int stepX = rng.nextInt(3) - 1, stepY = rng.nextInt(3) - 1;
            double peak = uniform(rng, 0.5, 20);
            int xMin = x, xMax = x, yMin = y, yMax = y;
            for (int k = 0; k < len; k++) {
                int cx = Math.min(size - 1, Math.max(0, x + k * stepX)), cy = Math.min(size - 1, Math.max(0, y + k * stepY));
                px[band][cy][cx] += (float) (peak * (k == 0 ? 1 : uniform(rng, 0.6, 1)));
                xMin = Math.min(xMin, cx); xMax = Math.max(xMax, cx);
                yMin = Math.min(yMin, cy); yMax = Math.max(yMax, cy);
            }
            out.add(new Artefact(ArtefactKind.COSMIC_RAY, List.of(BANDS.get(band)), "TRACK", xMin, yMin, xMax, yMax, peak));
        }
        return out;
    }

    /** A 3 to 24 pixel rectangle of NaN or of zeros, in all bands (75 %) or one. */
    private Artefact nanBlock(float[][][] px, SplittableRandom rng) {
        int maxSide = Math.max(3, Math.min(24, size / 2));
        int w = 3 + rng.nextInt(maxSide - 2), h = 3 + rng.nextInt(maxSide - 2);
        int x0 = rng.nextInt(size - w + 1), y0 = rng.nextInt(size - h + 1);
        boolean nan = rng.nextBoolean();
        List<Integer> bands = someBands(rng, 0.25);
        for (int b : bands) {
            for (int y = y0; y < y0 + h; y++) {
                for (int x = x0; x < x0 + w; x++) px[b][y][x] = nan ? Float.NaN : 0f;
            }
        }
        return new Artefact(ArtefactKind.NAN_BLOCK, names(bands), nan ? "NAN" : "ZERO", x0, y0, x0 + w - 1, y0 + h - 1, nan ? Double.NaN : 0);
    }

    /** No data beyond a straight edge tilted up to 8 degrees from a cutout side, 3 to size/3 pixels in. */
    private Artefact chipEdge(float[][][] px, SplittableRandom rng) {
        int side = rng.nextInt(4);                          // 0 left, 1 right, 2 top, 3 bottom
        double depth = uniform(rng, 3, size / 3.0), tilt = StrictMath.tan(StrictMath.toRadians(uniform(rng, -8, 8)));
        double c = (size - 1) / 2.0, far = size - 1;
        double at = (side % 2 == 0) ? depth : far - depth;     // the edge's offset where it crosses the middle
        double x0, y0, x1, y1;
        if (side < 2) {                                     // near-vertical edge through (at + (y - c) tilt, y)
            x0 = at - c * tilt; y0 = 0; x1 = at + c * tilt; y1 = far;
        } else {
            x0 = 0; y0 = at - c * tilt; x1 = far; y1 = at + c * tilt;
        }
        boolean nan = rng.nextBoolean();
        List<Integer> bands = someBands(rng, 0.3);
        for (int b : bands) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    if (beyondEdge(x, y, x0, y0, x1, y1, size)) px[b][y][x] = nan ? Float.NaN : 0f;
                }
            }
        }
        return new Artefact(ArtefactKind.CHIP_EDGE, names(bands), nan ? "NAN" : "ZERO", x0, y0, x1, y1, nan ? Double.NaN : 0);
    }

    /** Whether pixel (x, y) lies strictly on the other side of the line (x0, y0)-(x1, y1) from the cutout centre. */
    static boolean beyondEdge(int x, int y, double x0, double y0, double x1, double y1, int size) {
        double c = (size - 1) / 2.0;
        double sp = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0);
        double sc = (x1 - x0) * (c - y0) - (y1 - y0) * (c - x0);
        return sp * sc < 0;
    }

    /** One random band with probability pOne, else all three. */
    private static List<Integer> someBands(SplittableRandom rng, double pOne) {
        return rng.nextDouble() < pOne ? List.of(rng.nextInt(3)) : List.of(0, 1, 2);
    }

    private static List<String> names(List<Integer> bands) {
        return bands.stream().map(BANDS::get).toList();
    }
}
