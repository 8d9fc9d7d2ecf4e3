package org.astropt.stream.core.sim;

/** The broad class a synthetic galaxy was drawn from; it sets its bulge-to-total, Sersic index and arms. */
public enum Morphology {
    /** Bulge-dominated, red, n of 3 to 6, no arms. */
    ELLIPTICAL,
    /** Bulge plus a red, smooth disc, no arms. */
    LENTICULAR,
    /** Disc-dominated and blue, most with logarithmic arms. */
    SPIRAL
}
