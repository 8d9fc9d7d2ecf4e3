package org.astropt.stream.core.sim;

import static org.astropt.stream.core.sim.Deviates.flux;
import static org.astropt.stream.core.sim.Deviates.gaussian;
import static org.astropt.stream.core.sim.Deviates.uniform;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The six bogus kinds of {@link AlertKind}, drawn into an alert's {@link AlertLayers} around the alert
 * position (x, y). Amplitudes are in units of the science exposure's sky noise sigma, so a bogus alert is
 * as significant in ZTF as in Rubin: a real pipeline would have detected it at 5 sigma or more.
 */
final class BogusDetections {

    private BogusDetections() {}

    /** Draws {@code kind} into {@code t} and returns its truth details (name=value pairs). */
    static String draw(AlertKind kind, AlertLayers t, SplittableRandom rng, double x, double y, double depth,
                       double sigma, MoffatPsf psf, MoffatPsf psfT, int size) {
        int px = (int) Math.round(x), py = (int) Math.round(y);
        return switch (kind) {
            case DIPOLE -> {
                // A star 4 to 7 magnitudes above the depth, and the science exposure registered 0.2 to 0.7 px off.
                double mag = uniform(rng, depth - 7, depth - 4), shift = uniform(rng, 0.2, 0.7), angle = uniform(rng, 0, 360);
                t.staticStar(x, y, flux(mag));
                t.shiftX = shift * StrictMath.cos(StrictMath.toRadians(angle));
                t.shiftY = shift * StrictMath.sin(StrictMath.toRadians(angle));
                yield String.format(Locale.ROOT, "star_mag=%.2f shift_px=%.3f angle_deg=%.1f", mag, shift, angle);
            }
            case COSMIC_RAY -> {
                int length = 1 + rng.nextInt(4);
                int dx = rng.nextInt(3) - 1, dy = length > 1 && dx == 0 ? (rng.nextBoolean() ? 1 : -1) : rng.nextInt(3) - 1;
                double peak = uniform(rng, 15, 150) * sigma;
                for (int k = 0; k < length; k++) {
                    int cx = clamp(px + k * dx, size), cy = clamp(py + k * dy, size);
                    t.defects[cy][cx] += peak * (k == 0 ? 1 : uniform(rng, 0.6, 1));
                }
                yield String.format(Locale.ROOT, "length_px=%d step=%d/%d peak_sigma=%.1f", length, dx, dy, peak / sigma);
            }
            case HOT_PIXEL -> {
                double level = uniform(rng, 10, 300) * sigma;
                t.defects[py][px] += level;
                yield String.format(Locale.ROOT, "level_sigma=%.1f", level / sigma);
            }
            case BAD_COLUMN -> {
                // The whole column (70 %) or from the alert's row to one edge, reading 6 to 20 sigma high.
                int y0 = 0, y1 = size - 1;
                if (rng.nextDouble() < 0.3) {
                    if (rng.nextBoolean()) y0 = py; else y1 = py;
                }
                double level = uniform(rng, 6, 20) * sigma;
                for (int j = y0; j <= y1; j++) t.defects[j][px] += level * (1 + 0.1 * gaussian(rng));
                yield String.format(Locale.ROOT, "column=%d rows=%d-%d level_sigma=%.1f", px, y0, y1, level / sigma);
            }
            case BRIGHT_STAR_RESIDUAL -> {
                // A star whose peak is 3 to 30 times the science exposure's saturation, up to 1.5 FWHM from the
                // alert, subtracted with a PSF 5 to 15 % off in width and up to 3 % off in flux.
                double f = uniform(rng, 3, 30) * AlertSimulator.SATURATION_SIGMA * sigma / psf.pixel(0, 0);
                double mag = Deviates.magnitude(f);
                double off = uniform(rng, 0, 1.5) * psf.fwhm(), angle = uniform(rng, 0, 2 * Math.PI);
                double sx = x + off * StrictMath.cos(angle), sy = y + off * StrictMath.sin(angle);
                double widthError = (rng.nextBoolean() ? 1 : -1) * uniform(rng, 0.05, 0.15);
                double fluxError = uniform(rng, -0.03, 0.03);
                psf.addPoint(t.scienceExtra, sx, sy, f, 2 * size);
                psfT.addPoint(t.templateExtra, sx, sy, f, 2 * size);
                new MoffatPsf(psf.fwhm() * (1 + widthError)).addPoint(t.matchedExtra, sx, sy, f * (1 + fluxError), 2 * size);
                yield String.format(Locale.ROOT, "star_mag=%.2f star_offset_px=%.2f psf_width_error=%.3f flux_error=%.3f",
                        mag, off, widthError, fluxError);
            }
            case GHOST -> {
                // The pupil's image: an annulus (the secondary's shadow inside) of 1.5 to 5 sigma per pixel, the
                // alert on its ring.
                double outer = uniform(rng, 0.2, 0.4) * size, inner = uniform(rng, 0.3, 0.5) * outer;
                double off = uniform(rng, 0.85, 1.15) * (inner + outer) / 2, angle = uniform(rng, 0, 2 * Math.PI);
                double gx = x + off * StrictMath.cos(angle), gy = y + off * StrictMath.sin(angle);
                double level = uniform(rng, 1.5, 5) * sigma;
                for (int j = 0; j < size; j++) {
                    for (int i = 0; i < size; i++) {
                        double d = Math.hypot(i - gx, j - gy);
                        double edge = Math.min(1, Math.max(0, outer - d + 0.5)) * Math.min(1, Math.max(0, d - inner + 0.5));
                        t.scienceExtra[j][i] += level * edge;
                    }
                }
                yield String.format(Locale.ROOT, "centre=%.2f/%.2f r_outer_px=%.2f r_inner_px=%.2f level_sigma=%.2f",
                        gx, gy, outer, inner, level / sigma);
            }
            default -> throw new IllegalArgumentException(kind + " is not a bogus kind");
        };
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size - 1, v));
    }
}
