package org.astropt.stream.core.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The synthetic alert stream: reproducible, and each kind looks like itself in its difference stamp the
 * way a person scanning alerts would check it. Stamps are [y][x] in the survey's unit; sigma is the
 * difference stamp's robust noise.
 */
class AlertSimulatorTest {

    /** Alerts per kind checked for each survey: enough to meet every branch of each kind's drawing. */
    private static final int PER_KIND = 4;

    /** The first PER_KIND alerts of each kind of a stream. */
    static Map<AlertKind, List<SimulatedAlert>> byKind(AlertSimulator sim, int perKind) {
        Map<AlertKind, List<SimulatedAlert>> out = new EnumMap<>(AlertKind.class);
        for (AlertKind k : AlertKind.values()) out.put(k, new ArrayList<>());
        for (long i = 0; out.values().stream().anyMatch(l -> l.size() < perKind); i++) {
            AlertKind kind = sim.kind(i);
            if (out.get(kind).size() < perKind) out.get(kind).add(sim.alert(i));
        }
        return out;
    }

    @Test
    void anAlertIsAPureFunctionOfSurveySeedAndIndex() {
        for (AlertSurvey survey : AlertSurvey.values()) {
            SimulatedAlert a = new AlertSimulator(survey, 7).alert(5);
            AlertSimulator other = new AlertSimulator(survey, 7);
            other.alert(9);                                             // drawing others first changes nothing
            SimulatedAlert b = other.alert(5);
            assertEquals(a.truth(), b.truth());
            assertEquals(a.photometry(), b.photometry());
            assertArrayEquals(a.science(), b.science());
            assertArrayEquals(a.template(), b.template());
            assertArrayEquals(a.difference(), b.difference());
            SimulatedAlert c = new AlertSimulator(survey, 8).alert(5);
            assertFalse(java.util.Arrays.deepEquals(a.science(), c.science()), "another seed, another alert");
            assertEquals(List.of(survey.size(), survey.size()), List.of(a.science().length, a.science()[0].length));
            for (long i = 0; i < 20; i++) assertEquals(other.alert(i).truth().kind(), other.kind(i));
        }
    }

    @Test
    void everyKindLooksLikeItselfInZtfAndRubin() {
        for (AlertSurvey survey : AlertSurvey.values()) {
            Map<AlertKind, List<SimulatedAlert>> kinds = byKind(new AlertSimulator(survey, 3), PER_KIND);
            kinds.forEach((kind, alerts) -> alerts.forEach(a -> looksLike(kind, a)));
        }
    }

    private static void looksLike(AlertKind kind, SimulatedAlert a) {
        AlertTruth t = a.truth();
        String where = t.survey() + " " + kind + " " + t.index() + " (" + t.details() + ")";
        float[][] d = a.difference();
        double sigma = AlertSimulator.robustSigma(d);
        int px = (int) Math.round(t.x()), py = (int) Math.round(t.y());
        double snr = a.photometry().snr();
        switch (kind) {
            case SUPERNOVA, NUCLEAR -> {
                // A PSF on the alert position in the difference, as bright as the truth says, and not in the template.
                double truthFlux = Math.pow(10, (t.survey().zeropoint() - t.transientMag()) / 2.5);
                assertEquals(truthFlux, a.photometry().flux(), 5 * a.photometry().fluxErr() + 0.05 * truthFlux, where);
                assertTrue(snr > 4, where + " snr " + snr);
                if (snr > 20) {
                    int[] peak = peak(d, px, py, 3);
                    double miss = Math.hypot(peak[0] - t.x(), peak[1] - t.y());
                    assertTrue(miss <= Math.max(1.5, 0.5 * a.photometry().fwhmPx()), where + " peak at " + peak[0] + "," + peak[1]);
                }
                if (kind == AlertKind.SUPERNOVA) {
                    assertTrue(t.hostOffsetArcsec() >= 0.5 - 1e-9, where);
                    if (t.hostOffsetArcsec() / t.survey().pixelScale() > 2 * a.photometry().fwhmPx()) {
                        // Well off its host's centre, the supernova's light is in the science exposure and not the template.
                        double science = near(a.science(), px, py), template = near(a.template(), px, py);
                        assertTrue(science - template > 0.5 * near(d, px, py), where + ": template " + template + " science " + science);
                    }
                } else {
                    assertEquals(0, t.hostOffsetArcsec(), 1e-9, where);
                }
            }
            case VARIABLE_STAR -> {
                // The star is in the template; the difference has the sign of its change.
                assertTrue(Math.abs(snr) > 3, where + " snr " + snr);
                String[] mags = t.details().split(" ");
                double m0 = Double.parseDouble(mags[0].split("=")[1]), m1 = Double.parseDouble(mags[1].split("=")[1]);
                assertEquals(m1 < m0, a.photometry().positive(), where);
                double templateStar = near(a.template(), px, py) - AlertSimulator.robustMedian(a.template());
                assertTrue(templateStar > 5 * AlertSimulator.robustSigma(a.template()), where + " template star " + templateStar);
                assertTrue(Double.isNaN(t.hostOffsetArcsec()), where);
            }
            case DIPOLE -> {
                // A positive and a negative lobe, both significant, within two FWHM of the alert.
                int reach = (int) Math.ceil(2 * a.photometry().fwhmPx()) + 1;
                assertTrue(extreme(d, px, py, reach, true) > 5 * sigma, where);
                assertTrue(extreme(d, px, py, reach, false) < -5 * sigma, where);
            }
            case HOT_PIXEL -> {
                // One pixel far above the noise around the alert, and the brightest of the difference.
                assertEquals(List.of(List.of(px, py)), near(above(d, 5 * sigma), px, py, 4), where);
                assertEquals(List.of(px, py), List.of(peak(d, px, py, d.length)[0], peak(d, px, py, d.length)[1]), where);
            }
            case COSMIC_RAY -> {
                // One to four pixels above 5 sigma in a line from the alert: sharper than any PSF.
                List<List<Integer>> hot = near(above(d, 5 * sigma), px, py, 5);
                assertTrue(!hot.isEmpty() && hot.size() <= 4, where + " " + hot);
                assertTrue(hot.contains(List.of(px, py)), where + " " + hot);
            }
            case BAD_COLUMN -> {
                // Pixels above 5 sigma nearly all in the alert's column, and most of the column above 3 sigma.
                List<List<Integer>> hot = above(d, 5 * sigma);
                assertTrue(hot.stream().filter(p -> p.get(0) == px).count() >= 0.9 * hot.size(), where + " " + hot);
                long raised = above(d, 3 * sigma).stream().filter(p -> p.get(0) == px).count();
                assertTrue(raised >= d.length / 3, where + " " + raised + " pixels of the column above 3 sigma");
            }
            case BRIGHT_STAR_RESIDUAL -> {
                // The science exposure's core is clipped flat at saturation, which leaves a deep hole in the difference.
                double top = extreme(a.science(), px, py, d.length, true);
                assertTrue(above(a.science(), top - 1e-3 * Math.abs(top)).size() >= 2, where + ": no saturated plateau");
                assertTrue(extreme(d, px, py, d.length, false) < -20 * sigma, where);
            }
            case GHOST -> {
                // A ring: the difference is raised on it (at the alert) and not inside its hole.
                String[] f = t.details().split(" ");
                String[] centre = f[0].split("=")[1].split("/");
                double gx = Double.parseDouble(centre[0]), gy = Double.parseDouble(centre[1]);
                double outer = Double.parseDouble(f[1].split("=")[1]), inner = Double.parseDouble(f[2].split("=")[1]);
                double ring = meanIn(d, gx, gy, inner + 1, outer - 1), hole = meanIn(d, gx, gy, 0, inner - 1);
                assertTrue(ring > 1 * sigma, where + " ring " + ring / sigma);
                if (inner >= 4) assertTrue(Math.abs(hole) < 0.7 * sigma, where + " hole " + hole / sigma);
            }
        }
        assertEquals(kind.real(), t.label().equals("real"));
    }

    /** Mean of the 3 x 3 pixels around (x, y). */
    private static double near(float[][] s, int x, int y) {
        double sum = 0;
        for (int j = y - 1; j <= y + 1; j++) for (int i = x - 1; i <= x + 1; i++) sum += s[j][i];
        return sum / 9;
    }

    private static int[] peak(float[][] s, int x, int y, int reach) {
        int[] best = {x, y};
        for (int j = Math.max(0, y - reach); j <= Math.min(s.length - 1, y + reach); j++) {
            for (int i = Math.max(0, x - reach); i <= Math.min(s.length - 1, x + reach); i++) {
                if (s[j][i] > s[best[1]][best[0]]) best = new int[] {i, j};
            }
        }
        return best;
    }

    private static double extreme(float[][] s, int x, int y, int reach, boolean max) {
        double best = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (int j = Math.max(0, y - reach); j <= Math.min(s.length - 1, y + reach); j++) {
            for (int i = Math.max(0, x - reach); i <= Math.min(s.length - 1, x + reach); i++) {
                best = max ? Math.max(best, s[j][i]) : Math.min(best, s[j][i]);
            }
        }
        return best;
    }

    /** The pixels of a list within {@code reach} pixels (Chebyshev) of (x, y). */
    private static List<List<Integer>> near(List<List<Integer>> pixels, int x, int y, int reach) {
        return pixels.stream().filter(p -> Math.abs(p.get(0) - x) <= reach && Math.abs(p.get(1) - y) <= reach).toList();
    }

    /** The pixels above a level, as [x, y]. */
    private static List<List<Integer>> above(float[][] s, double level) {
        List<List<Integer>> out = new ArrayList<>();
        for (int j = 0; j < s.length; j++) for (int i = 0; i < s[j].length; i++) if (s[j][i] > level) out.add(List.of(i, j));
        return out;
    }

    private static double meanIn(float[][] s, double cx, double cy, double r0, double r1) {
        double sum = 0;
        int n = 0;
        for (int j = 0; j < s.length; j++) {
            for (int i = 0; i < s.length; i++) {
                double r = Math.hypot(i - cx, j - cy);
                if (r >= r0 && r <= r1) { sum += s[j][i]; n++; }
            }
        }
        return n == 0 ? 0 : sum / n;
    }
}
