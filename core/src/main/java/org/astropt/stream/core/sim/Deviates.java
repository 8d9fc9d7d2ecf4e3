package org.astropt.stream.core.sim;

import java.util.SplittableRandom;

/**
 * Random draws that give the same bits on every JVM: SplittableRandom's SplitMix64 bits, and only
 * StrictMath for the transcendental functions (Math may differ by an ulp between platforms).
 */
final class Deviates {

    private Deviates() {}

    /**
     * What a random stream of one galaxy is used for: each gets its own, so they never shift each other.
     * New purposes go at the end: the ordinal seeds the stream.
     */
    enum Purpose { SCENE, NOISE, ARTEFACTS, NOVEL, ALERT, TEMPLATE_NOISE }

    /**
     * The stream of galaxy {@code index} for one purpose: a function of (seed, index, purpose) only, so
     * galaxy k is the same whatever the survey's count, and adding artefacts never changes the noise.
     */
    static SplittableRandom stream(long seed, long index, Purpose purpose) {
        long h = mix(seed + 0x9E3779B97F4A7C15L * (index + 1));
        h = mix(h ^ (0xD1B54A32D192ED03L * (purpose.ordinal() + 1)));
        return new SplittableRandom(h);
    }

    /** SplitMix64's finaliser: a bijection on longs that spreads nearby inputs far apart. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** Standard normal by Marsaglia's polar method (one StrictMath.log per accepted pair; second discarded). */
    static double gaussian(SplittableRandom rng) {
        double u, v, s;
        do {
            u = 2 * rng.nextDouble() - 1;
            v = 2 * rng.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * StrictMath.log(s) / s);
    }

    /** Fills {@code out} with standard normals, using both values of each polar pair. */
    static void gaussians(SplittableRandom rng, double[] out) {
        for (int i = 0; i < out.length; i += 2) {
            double u, v, s;
            do {
                u = 2 * rng.nextDouble() - 1;
                v = 2 * rng.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double f = Math.sqrt(-2 * StrictMath.log(s) / s);
            out[i] = u * f;
            if (i + 1 < out.length) out[i + 1] = v * f;
        }
    }

    /** Poisson count by Knuth's product of uniforms: fine for the small means used here (a few). */
    static int poisson(SplittableRandom rng, double mean) {
        double limit = StrictMath.exp(-mean), p = 1;
        int k = -1;
        do {
            k++;
            p *= rng.nextDouble();
        } while (p > limit);
        return k;
    }

    /** Index drawn with the given relative weights. */
    static int choose(SplittableRandom rng, double... weights) {
        double total = 0;
        for (double w : weights) total += w;
        double u = rng.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.length - 1;
    }

    /** Flux in nanomaggies of an AB magnitude with the Legacy Survey zero point 22.5. */
    static double flux(double mag) {
        return StrictMath.pow(10, (22.5 - mag) / 2.5);
    }

    /** AB magnitude (zero point 22.5) of a flux in nanomaggies. */
    static double magnitude(double flux) {
        return 22.5 - 2.5 * StrictMath.log10(flux);
    }
}
