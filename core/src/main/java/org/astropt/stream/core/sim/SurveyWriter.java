package org.astropt.stream.core.sim;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import nom.tam.fits.BasicHDU;
import nom.tam.fits.Fits;
import nom.tam.fits.FitsException;
import nom.tam.fits.Header;
import nom.tam.util.FitsOutputStream;

import org.astropt.stream.core.image.AsinhRgb;
import org.astropt.stream.core.image.CutoutImage;

/**
 * Writes a synthetic survey to disk: {@code DIR/fits/<id>.fits} (one float32 cube per galaxy, NAXIS3 = 3
 * bands g, r, z, with the truth in header cards), {@code DIR/png/<id>.png} (asinh colour preview) and
 * {@code DIR/truth.csv} (see {@link TruthCatalogue}).
 *
 * <p>FITS stores its first row at the bottom of the image, so each band is flipped vertically on the
 * way out; a reader that flips on the way in (as every decoder here does) gets the display array back.
 */
public final class SurveyWriter {

    /** Longest string value a FITS card holds without the long-string convention. */
    private static final int CARD_TEXT = 68;

    private final Path dir;
    private final AsinhRgb preview;

    /** Previews with the Legacy Survey viewer's stretch. */
    public SurveyWriter(Path dir) {
        this(dir, AsinhRgb.legacySurvey());
    }

    public SurveyWriter(Path dir, AsinhRgb preview) {
        this.dir = dir;
        this.preview = preview;
    }

    /** Writes every galaxy of the stream (FITS, PNG, one CSV row each) and returns how many. */
    public long write(Stream<SyntheticGalaxy> galaxies) throws IOException {
        Path fits = Files.createDirectories(dir.resolve("fits"));
        Path png = Files.createDirectories(dir.resolve("png"));
        long n = 0;
        try (BufferedWriter csv = Files.newBufferedWriter(dir.resolve("truth.csv"), StandardCharsets.UTF_8)) {
            csv.write(TruthCatalogue.header());
            csv.newLine();
            for (Iterator<SyntheticGalaxy> it = galaxies.iterator(); it.hasNext(); n++) {
                SyntheticGalaxy g = it.next();
                Files.write(fits.resolve(g.id() + ".fits"), fitsBytes(g));
                preview.writePng(g.image(), png.resolve(g.id() + ".png"));
                csv.write(TruthCatalogue.row(g.truth()));
                csv.newLine();
            }
        }
        return n;
    }

    /** Writes all galaxies of a survey. */
    public long write(SyntheticSurvey survey) throws IOException {
        return write(survey.stream());
    }

    /** One galaxy as a FITS file in memory: primary HDU, BITPIX -32, NAXIS1 = x, NAXIS2 = y, NAXIS3 = band. */
    public static byte[] fitsBytes(SyntheticGalaxy galaxy) throws IOException {
        CutoutImage img = galaxy.image();
        int h = img.height();
        float[][][] cube = new float[img.bandCount()][h][];
        for (int b = 0; b < img.bandCount(); b++) {
            for (int y = 0; y < h; y++) cube[b][h - 1 - y] = img.pixels()[b][y].clone();   // FITS row 0 = bottom
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Fits fits = new Fits(); FitsOutputStream out = new FitsOutputStream(bytes)) {
            BasicHDU<?> hdu = Fits.makeHDU(cube);
            describe(hdu.getHeader(), galaxy.truth(), img.bands());
            fits.addHDU(hdu);
            // nom-tam stamps SIMPLE with the date of class loading: fix it so equal galaxies give equal bytes.
            hdu.getHeader().findCard("SIMPLE").setComment("conforms to FITS standard");
            fits.write(out);
            out.flush();
        } catch (FitsException e) {
            throw new IOException("cannot write FITS for " + galaxy.id() + ": " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    private static void describe(Header h, GalaxyTruth t, List<String> bands) throws FitsException {
        h.addValue("OBJECT", t.id(), "object id");
        h.addValue("SURVEY", "synthetic-grz", "astropt-stream SyntheticSurvey");
        h.addValue("SIMSEED", t.surveySeed(), "survey seed");
        h.addValue("SIMINDEX", t.index(), "galaxy index in the survey");
        h.addValue("BANDS", String.join(",", bands), "band of each plane, NAXIS3 order");
        for (int b = 0; b < bands.size(); b++) h.addValue("BAND" + (b + 1), bands.get(b), "band of plane " + (b + 1));
        h.addValue("BUNIT", "nanomaggy", "sky-subtracted flux per pixel");
        h.addValue("MAGZERO", 22.5, "AB zero point: mag = 22.5 - 2.5 log10(flux)");
        h.addValue("PIXSCALE", SyntheticSurvey.PIXEL_SCALE, "[arcsec/pixel]");
        h.addValue("MORPH", t.morphology().name(), "morphological class drawn");
        h.addValue("TRUTH_N", t.sersicIndex(), "bulge Sersic index");
        h.addValue("TRUTH_RE", t.bulgeHalfLightArcsec(), "[arcsec] bulge half-light radius");
        h.addValue("TRUTH_H", t.discScaleLengthArcsec(), "[arcsec] disc scale length");
        h.addValue("TRUTH_BT", t.bulgeToTotal(), "bulge-to-total flux ratio in r");
        h.addValue("MAG_G", t.magnitude().g(), "total AB magnitude, g");
        h.addValue("MAG_R", t.magnitude().r(), "total AB magnitude, r");
        h.addValue("MAG_Z", t.magnitude().z(), "total AB magnitude, z");
        h.addValue("REDSHIFT", t.redshift(), "redshift-like parameter");
        h.addValue("AXRATIO", t.axisRatio(), "minor/major axis of the disc");
        h.addValue("INCL", t.inclinationDeg(), "[deg] inclination, 0 face-on");
        h.addValue("PA", t.positionAngleDeg(), "[deg] major axis from up towards left");
        h.addValue("BULGE_Q", t.bulgeAxisRatio(), "minor/major axis of the bulge");
        h.addValue("ARMS", t.spiralArms(), "logarithmic spiral arms");
        h.addValue("NARMS", t.armCount(), "number of arms");
        h.addValue("PITCH", t.armPitchDeg(), "[deg] arm pitch angle");
        h.addValue("ARMFRAC", t.armFraction(), "share of disc r flux in arms");
        h.addValue("CENTX", t.centreX(), "galaxy centre x, 0-based display pixels");
        h.addValue("CENTY", t.centreY(), "galaxy centre y, 0-based from the TOP row");
        h.addValue("PSF_FWHM", t.psfFwhmArcsec().r(), "[arcsec] Moffat PSF FWHM in r");
        h.addValue("PSFFWHMG", t.psfFwhmArcsec().g(), "[arcsec] PSF FWHM in g");
        h.addValue("PSFFWHMZ", t.psfFwhmArcsec().z(), "[arcsec] PSF FWHM in z");
        h.addValue("SKYSIG_G", t.skyNoise().g(), "[nanomaggy] sky noise per pixel, g");
        h.addValue("SKYSIG_R", t.skyNoise().r(), "[nanomaggy] sky noise per pixel, r");
        h.addValue("SKYSIG_Z", t.skyNoise().z(), "[nanomaggy] sky noise per pixel, z");
        h.addValue("NSTARS", t.neighbourStars(), "neighbouring stars rendered");
        h.addValue("NFIELDGX", t.backgroundGalaxies(), "faint field galaxies rendered");
        h.addValue("ARTEFACT", String.join(",", t.artefactLabels()), "injected artefact labels");
        for (int i = 0; i < t.artefacts().size(); i++) {
            String d = t.artefacts().get(i).describe();
            h.addValue("ART" + (i + 1), d.length() > CARD_TEXT ? d.substring(0, CARD_TEXT) : d, null);
        }
        h.addValue("NOVEL", t.novelLabel(), "novel kind; empty for an ordinary galaxy");
        if (t.isNovel()) {
            String d = t.novelDetails();
            h.addValue("NOVELDET", d.length() > CARD_TEXT ? d.substring(0, CARD_TEXT) : d, null);
        }
    }
}
