package org.astropt.stream.core.sim;

/**
 * The instrumental and processing artefacts the synthetic survey can inject, each written as a label
 * into the truth so a flagger can be scored against it.
 */
public enum ArtefactKind {
    /** A bright straight line across the cutout, in one band or all (a satellite or aircraft). */
    SATELLITE_TRAIL,
    /** A very bright star whose core is clipped at the saturation level; always brings a BLEED_TRAIL. */
    SATURATED_STAR,
    /** The vertical column of saturated charge that bleeds out of a saturated star's core. */
    BLEED_TRAIL,
    /** One detector column stuck high (hot) or reading no charge (dead), in one band or all. */
    BAD_COLUMN,
    /** A few sharp, unresolved hits in one band: narrower than any real source. */
    COSMIC_RAY,
    /** A rectangle of missing data, filled with NaN or with zeros. */
    NAN_BLOCK,
    /** The region beyond a straight chip edge, with no data (NaN or zeros). */
    CHIP_EDGE;

    /** Whether the injector can be asked for this kind on its own (a bleed trail comes with its star). */
    public boolean injectable() {
        return this != BLEED_TRAIL;
    }
}
