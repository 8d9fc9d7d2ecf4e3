package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * Compares our float arrays with the reference fixtures and says how far apart they are.
 * "Relative" is relative to the quantity's scale: max |ours - reference| / max |reference|. An
 * element-by-element ratio is meaningless for values near zero, where float32 rounding in either
 * implementation is all there is; for information the element-wise ratio over values of at least
 * 1e-3 of the scale is printed too.
 */
final class Parity {

    private Parity() {}

    record Diff(double maxAbs, double maxRel, double maxElementRel) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "max abs %.3g, max rel (to scale) %.3g, max element-wise rel %.3g",
                    maxAbs, maxRel, maxElementRel);
        }
    }

    static Diff diff(float[] ours, float[] reference) {
        double scale = 0;
        for (float r : reference) scale = Math.max(scale, Math.abs(r));
        double floor = Math.max(scale * 1e-3, Float.MIN_NORMAL);
        double maxAbs = 0;
        double maxElementRel = 0;
        for (int i = 0; i < ours.length; i++) {
            double d = Math.abs((double) ours[i] - reference[i]);
            maxAbs = Math.max(maxAbs, d);
            maxElementRel = Math.max(maxElementRel, d / Math.max(Math.abs(reference[i]), floor));
        }
        return new Diff(maxAbs, maxAbs / Math.max(scale, Float.MIN_NORMAL), maxElementRel);
    }

    /** Fails unless max |ours - reference| / max |reference| is at most tolerance. */
    static Diff assertRelative(String what, float[] ours, float[] reference, double tolerance) {
        return check(what, ours, reference, tolerance, true);
    }

    /** {@link #assertRelative(String, float[], float[], double)} on two arrays of the engine. */
    static Diff assertRelative(String what, NDArray ours, NDArray reference, double tolerance) {
        return assertRelative(what, ours.toFloatArray(), reference.toFloatArray(), tolerance);
    }

    /** Fails unless max |ours - reference| is at most tolerance. */
    static Diff assertAbsolute(String what, float[] ours, float[] reference, double tolerance) {
        return check(what, ours, reference, tolerance, false);
    }

    private static Diff check(String what, float[] ours, float[] reference, double tolerance, boolean relative) {
        assertArrayEquals(new int[] {reference.length}, new int[] {ours.length}, what + ": length");
        Diff d = diff(ours, reference);
        System.out.println("parity " + what + ": " + d);
        assertTrue((relative ? d.maxRel() : d.maxAbs()) <= tolerance, what + " differs from the reference: " + d + " > " + tolerance);
        return d;
    }
}
