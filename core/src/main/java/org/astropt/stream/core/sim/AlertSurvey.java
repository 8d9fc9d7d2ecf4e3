package org.astropt.stream.core.sim;

import java.util.List;

/**
 * The two alert streams {@link AlertSimulator} imitates: their stamp size, pixel scale, bands, seeing,
 * depth and pixel units. Round figures: ZTF 30 s exposures reach r about 20.6 (5 sigma) in 2" seeing,
 * its references are co-adds of 15 to 40 frames; a Rubin 30 s visit reaches r about 24.5 in 0.7" seeing,
 * its templates are deeper co-adds.
 */
public enum AlertSurvey {
    /** ZTF public alerts: 63 x 63 stamps at 1.01"/px in g or r, in DN with the sky left in science and template. */
    ZTF(63, 1.01, List.of("g", "r"), new double[] {20.8, 20.6}, new double[] {21.5, 20.9}, 1.6, 3.0, 1.8, 26.3, true, "DN"),
    /** Rubin alerts: 30 x 30 stamps at 0.2"/px in g, r, i or z, sky-subtracted, in nJy. */
    RUBIN(30, 0.2, List.of("g", "r", "i", "z"), new double[] {24.8, 24.5, 24.0, 23.4}, new double[] {22.3, 21.2, 20.5, 19.6}, 0.55, 1.0, 1.5, 31.4, false, "nJy");

    /** Stamp side in pixels. */
    private final int size;
    /** Arcseconds per pixel. */
    private final double pixelScale;
    /** The bands an alert may be in. */
    private final List<String> bands;
    /** Median 5-sigma point-source depth of one exposure, AB, per band. */
    final double[] depth;
    /** Dark-sky surface brightness, AB mag per arcsec^2, per band: the sky level and its shot noise. */
    final double[] skyBrightness;
    /** Seeing FWHM range in arcsec (science exposures; templates are sharper). */
    final double seeingMin, seeingMax;
    /** How much deeper (magnitudes) the template is than one science exposure. */
    final double templateDepthGain;
    /**
     * AB zero point of the stamp's pixel unit: flux in that unit = 10^((zeropoint - mag) / 2.5). ZTF's
     * magzpsci is about 26.3 for DN; 31.4 is exactly nJy (3631 Jy at AB 0).
     */
    private final double zeropoint;
    /** Whether science and template keep their sky level (ZTF) or are sky-subtracted (Rubin). */
    final boolean skyInStamps;
    /** The FITS BUNIT of the stamps. */
    private final String unit;

    AlertSurvey(int size, double pixelScale, List<String> bands, double[] depth, double[] skyBrightness, double seeingMin, double seeingMax,
                double templateDepthGain, double zeropoint, boolean skyInStamps, String unit) {
        this.size = size;
        this.pixelScale = pixelScale;
        this.bands = bands;
        this.depth = depth;
        this.skyBrightness = skyBrightness;
        this.seeingMin = seeingMin;
        this.seeingMax = seeingMax;
        this.templateDepthGain = templateDepthGain;
        this.zeropoint = zeropoint;
        this.skyInStamps = skyInStamps;
        this.unit = unit;
    }

    /** Stamp side in pixels. */
    public int size() { return size; }

    /** Arcseconds per pixel. */
    public double pixelScale() { return pixelScale; }

    /** The bands an alert may be in. */
    public List<String> bands() { return bands; }

    /** AB zero point of the stamps' pixel unit. */
    public double zeropoint() { return zeropoint; }

    /** The stamps' FITS BUNIT. */
    public String unit() { return unit; }

    /**
     * Which of the synthetic survey's rendered planes (g, r, z) stands in for a band: g and r as
     * themselves, i as r and z as z (the galaxies' i-band colours are not modelled).
     */
    int renderPlane(String band) {
        return switch (band) {
            case "g" -> 0;
            case "r", "i" -> 1;
            default -> 2;
        };
    }

    /** Pixel units per nanomaggy (AB zero point 22.5). */
    double unitsPerNanomaggy() {
        return StrictMath.pow(10, (zeropoint - 22.5) / 2.5);
    }
}
