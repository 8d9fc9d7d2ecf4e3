package org.astropt.stream.core.sim;

/**
 * Objects the synthetic survey makes only when asked ({@link SyntheticSurvey#withNovelFraction}): a
 * population no model here trains on, so a novelty score can be judged on it. Each keeps the DECaLS-like
 * grz look of the survey (same PSF, noise, neighbours and colours by stellar population).
 */
public enum NovelKind {
    /**
     * Two disc galaxies of comparable brightness (flux ratio 0.35 to 1) a few arcseconds apart, often
     * overlapping, each pulling a curved blue tidal tail out of the side away from the other (the
     * Antennae's S shape), and on half of them a faint bridge between the two.
     */
    MERGER,
    /**
     * A collisional ring galaxy (the Cartwheel, Arp 147): a bright blue star-forming ring 2.8 to 5 arcsec in
     * radius with knots along it, around a compact red nucleus set off its centre (or an almost empty
     * centre), a faint disc, and on most of them the small intruder galaxy that made it nearby.
     */
    RING,
    /**
     * A strong gravitational lens: a red massive elliptical with the blue galaxy behind it drawn through a
     * singular isothermal sphere and external shear, so it appears as thin tangential arcs, an arc and a
     * counter-image, or an Einstein ring at an Einstein radius of 1.2 to 3 arcsec.
     */
    LENSED_ARC
}
