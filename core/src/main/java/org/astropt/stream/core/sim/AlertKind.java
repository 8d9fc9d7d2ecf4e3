package org.astropt.stream.core.sim;

/**
 * What made a synthetic alert ({@link AlertSimulator}): three kinds of real astrophysical change and six
 * kinds of bogus detection that image subtraction produces, the classes real/bogus classifiers (ZTF's
 * braai, ALeRCE's stamp classifier, Rubin's reliability) are trained to tell apart.
 */
public enum AlertKind {
    /** A supernova: a new point source offset from the centre of its host galaxy, absent from the template. */
    SUPERNOVA(true),
    /** A nuclear transient (tidal disruption, AGN flare): a new point source on the centre of its host. */
    NUCLEAR(true),
    /** A variable star: a point source in both images whose flux changed; fainter tonight gives a negative difference. */
    VARIABLE_STAR(true),
    /** A bright source subtracted from a misaligned template: a positive and a negative lobe side by side. */
    DIPOLE(false),
    /** A charged particle's hit in the science exposure: a sharp track of one to four pixels, no PSF. */
    COSMIC_RAY(false),
    /** One hot pixel in the science exposure. */
    HOT_PIXEL(false),
    /** A detector column reading high in the science exposure, through the alert's position. */
    BAD_COLUMN(false),
    /** The residual of a saturated bright star: a clipped core and rings where the PSFs did not match. */
    BRIGHT_STAR_RESIDUAL(false),
    /** An internal reflection of a bright star: a large faint out-of-focus ring of the telescope pupil. */
    GHOST(false);

    private final boolean real;

    AlertKind(boolean real) { this.real = real; }

    /** Whether this is a real astrophysical change (true) or a bogus detection (false). */
    public boolean real() { return real; }

    /** "real" or "bogus": the truth's label column. */
    public String label() { return real ? "real" : "bogus"; }

    /**
     * What a scanner labels it ({@link org.astropt.stream.core.heads.ObjectLabel}): normal for a real change,
     * artefact:&lt;kind&gt; (e.g. artefact:cosmic_ray) for a bogus detection, the labels the alert model's heads are fitted on.
     */
    public String objectLabel() {
        return real ? org.astropt.stream.core.heads.ObjectLabel.NORMAL
                : org.astropt.stream.core.heads.ObjectLabel.ARTEFACT_PREFIX + name().toLowerCase(java.util.Locale.ROOT);
    }
}
