package org.astropt.stream.core.sim;

import java.util.List;

/**
 * What a synthetic cutout was made of. Angles in degrees, sizes in arcseconds (0.262 arcsec per pixel),
 * positions in display pixel coordinates (x right, y down, pixel centres at integers), fluxes as AB
 * magnitudes with the Legacy Survey zero point 22.5 (flux in nanomaggies = 10^((22.5 - mag) / 2.5)).
 *
 * @param id                    object id, also the file name of its FITS cube and preview
 * @param surveySeed            the survey seed it was drawn with
 * @param index                 its index in the survey; (surveySeed, index) alone fix every pixel
 * @param morphology            the class it was drawn from
 * @param sersicIndex           Sersic index n of the bulge
 * @param bulgeHalfLightArcsec  bulge half-light radius along the major axis
 * @param discScaleLengthArcsec exponential disc scale length along the major axis
 * @param bulgeToTotal          bulge flux over total galaxy flux in r
 * @param magnitude             total AB magnitude of the galaxy (bulge + disc + arms) per band
 * @param redshift              redshift-like parameter: it dims, shrinks and reddens the galaxy
 * @param axisRatio             minor over major axis of the disc (of the bulge for ellipticals)
 * @param inclinationDeg        0 face-on, 90 edge-on (intrinsic disc thickness 0.12)
 * @param positionAngleDeg      major axis, from up (north) towards left (east), in [0, 180)
 * @param bulgeAxisRatio        minor over major axis of the bulge
 * @param spiralArms            whether logarithmic arms modulate the disc
 * @param armCount              number of arms, 0 without arms
 * @param armPitchDeg           arm pitch angle, 0 without arms
 * @param armFraction           share of the disc's r flux in the arms, 0 without arms
 * @param centreX               galaxy centre, x
 * @param centreY               galaxy centre, y
 * @param psfFwhmArcsec         Moffat PSF FWHM per band
 * @param skyNoise              sky noise per pixel per band (1 sigma, nanomaggies), shot plus read noise
 * @param neighbourStars        stars rendered in or near the cutout (not counting a SATURATED_STAR)
 * @param backgroundGalaxies    small faint galaxies rendered around it
 * @param artefacts             injected artefacts, in the order they were applied
 * @param novel                 the novel kind it was drawn as, or null for an ordinary galaxy (the default:
 *                              novel objects appear only where a survey asks for them, see
 *                              {@link SyntheticSurvey#withNovelFraction}); for a novel object the structural
 *                              fields describe its main galaxy (a merger's brighter one, a ring's nucleus and
 *                              disc, a lens's elliptical), and the magnitudes are the whole system's
 * @param novelDetails          what was drawn, as name=value pairs in one line (no commas or semicolons,
 *                              at most 68 characters: a FITS card), sizes in arcsec, shares of r flux: MERGER
 *                              {@code flux_ratio separation bridge}, RING {@code radius nucleus nucleus_offset
 *                              intruder}, LENSED_ARC {@code einstein offset} (of the source from the axis)
 *                              {@code source_r} (its unlensed r magnitude) {@code mu} (magnification)
 *                              {@code shear}; empty for an ordinary galaxy
 */
public record GalaxyTruth(
        String id, long surveySeed, long index, Morphology morphology,
        double sersicIndex, double bulgeHalfLightArcsec, double discScaleLengthArcsec, double bulgeToTotal,
        BandValues magnitude, double redshift,
        double axisRatio, double inclinationDeg, double positionAngleDeg, double bulgeAxisRatio,
        boolean spiralArms, int armCount, double armPitchDeg, double armFraction,
        double centreX, double centreY,
        BandValues psfFwhmArcsec, BandValues skyNoise,
        int neighbourStars, int backgroundGalaxies,
        List<Artefact> artefacts, NovelKind novel, String novelDetails) {

    public GalaxyTruth {
        artefacts = List.copyOf(artefacts);
        novelDetails = novel == null ? "" : novelDetails;
    }

    /** Whether it is one of the novel kinds rather than an ordinary galaxy. */
    public boolean isNovel() {
        return novel != null;
    }

    /** The novel kind's name, or "" for an ordinary galaxy: the truth's {@code novel} column. */
    public String novelLabel() {
        return novel == null ? "" : novel.name();
    }

    /** g - r colour of the whole galaxy. */
    public double colourGR() {
        return magnitude.g() - magnitude.r();
    }

    /** r - z colour of the whole galaxy. */
    public double colourRZ() {
        return magnitude.r() - magnitude.z();
    }

    /** Distinct artefact labels, in the order first applied; empty for a clean cutout. */
    public List<String> artefactLabels() {
        return artefacts.stream().map(Artefact::label).distinct().toList();
    }

    public boolean hasArtefacts() {
        return !artefacts.isEmpty();
    }
}
