package org.astropt.stream.core.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import nom.tam.fits.BasicHDU;
import nom.tam.fits.Fits;
import nom.tam.fits.Header;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SurveyWriterTest {

    private static final int COUNT = 6;
    /** Every cutout has an artefact so the ARTEFACT cards and CSV lists are exercised. */
    private static final SyntheticSurvey SURVEY = new SyntheticSurvey(31, 64, COUNT, 1, EnumSet.allOf(ArtefactKind.class));

    @TempDir
    static Path dir;
    static List<SyntheticGalaxy> galaxies;

    @BeforeAll
    static void write() throws Exception {
        galaxies = SURVEY.galaxies();
        assertEquals(COUNT, new SurveyWriter(dir).write(SURVEY));
    }

    @Test
    void fitsCubeStoresRowZeroAtTheBottom() throws Exception {
        for (SyntheticGalaxy g : galaxies) {
            try (Fits fits = new Fits(dir.resolve("fits").resolve(g.id() + ".fits").toFile())) {
                BasicHDU<?> hdu = fits.getHDU(0);
                Header h = hdu.getHeader();
                assertEquals(-32, h.getIntValue("BITPIX"));
                assertEquals(3, h.getIntValue("NAXIS"));
                assertEquals(64, h.getIntValue("NAXIS1"));
                assertEquals(64, h.getIntValue("NAXIS2"));
                assertEquals(3, h.getIntValue("NAXIS3"));
                float[][][] cube = (float[][][]) hdu.getKernel();
                for (int b = 0; b < 3; b++) {
                    for (int y = 0; y < 64; y++) {
                        // File row y is display row 63 - y: flip back and compare bit for bit.
                        assertArrayEquals(g.image().pixels()[b][63 - y], cube[b][y], g.id() + " band " + b + " file row " + y);
                    }
                }
            }
        }
    }

    @Test
    void fitsHeaderCarriesTheTruth() throws Exception {
        SyntheticGalaxy g = galaxies.get(0);
        GalaxyTruth t = g.truth();
        try (Fits fits = new Fits(dir.resolve("fits").resolve(g.id() + ".fits").toFile())) {
            Header h = fits.getHDU(0).getHeader();
            assertEquals("g,r,z", h.getStringValue("BANDS"));
            assertEquals("g", h.getStringValue("BAND1"));
            assertEquals("z", h.getStringValue("BAND3"));
            assertEquals(g.id(), h.getStringValue("OBJECT"));
            assertEquals(t.sersicIndex(), h.getDoubleValue("TRUTH_N"), 1e-9);
            assertEquals(t.bulgeHalfLightArcsec(), h.getDoubleValue("TRUTH_RE"), 1e-9);
            assertEquals(t.bulgeToTotal(), h.getDoubleValue("TRUTH_BT"), 1e-9);
            assertEquals(t.magnitude().g(), h.getDoubleValue("MAG_G"), 1e-9);
            assertEquals(t.magnitude().r(), h.getDoubleValue("MAG_R"), 1e-9);
            assertEquals(t.magnitude().z(), h.getDoubleValue("MAG_Z"), 1e-9);
            assertEquals(t.inclinationDeg(), h.getDoubleValue("INCL"), 1e-9);
            assertEquals(t.positionAngleDeg(), h.getDoubleValue("PA"), 1e-9);
            assertEquals(t.spiralArms(), h.getBooleanValue("ARMS"));
            assertEquals(t.psfFwhmArcsec().r(), h.getDoubleValue("PSF_FWHM"), 1e-9);
            assertEquals(String.join(",", t.artefactLabels()), h.getStringValue("ARTEFACT"));
            assertTrue(!t.artefactLabels().isEmpty());
            assertTrue(h.getStringValue("ART1").startsWith(t.artefacts().get(0).kind().name()));
        }
    }

    @Test
    void fitsBytesAreTheSameForTheSameGalaxyWithNoTimestamp() throws Exception {
        byte[] a = SurveyWriter.fitsBytes(new SyntheticSurvey(31, 64, COUNT).galaxy(2));
        byte[] b = SurveyWriter.fitsBytes(new SyntheticSurvey(31, 64, COUNT).galaxy(2));
        assertArrayEquals(a, b);
        String header = new String(a, 0, 2880 * 2, StandardCharsets.US_ASCII);
        assertTrue(!header.matches("(?s).*\\d\\d:\\d\\d:\\d\\d.*"), "no wall-clock time in the header");
    }

    @Test
    void truthCsvHasOneRowPerGalaxyInOrder() throws Exception {
        List<Map<String, String>> rows = TruthCatalogue.read(dir.resolve("truth.csv"));
        assertEquals(COUNT, rows.size());
        assertEquals(COUNT + 1, Files.readAllLines(dir.resolve("truth.csv")).size());
        for (int i = 0; i < COUNT; i++) {
            GalaxyTruth t = galaxies.get(i).truth();
            Map<String, String> row = rows.get(i);
            assertEquals(t.id(), row.get("id"));
            assertEquals(t.morphology().name(), row.get("morphology"));
            assertEquals(t.magnitude().r(), Double.parseDouble(row.get("mag_r")), 1e-4);
            assertEquals(t.colourGR(), Double.parseDouble(row.get("colour_gr")), 1e-4);
            assertEquals(t.armCount(), Integer.parseInt(row.get("arm_count")));
            assertEquals(String.join(";", t.artefactLabels()), row.get("artefacts"));
            assertEquals(t.artefacts().size(), row.get("artefact_details").split(";").length);
        }
    }

    @Test
    void pngPreviewsAreImagesOfTheCutoutSize() throws Exception {
        try (var files = Files.list(dir.resolve("png"))) {
            assertEquals(COUNT, files.count());
        }
        for (SyntheticGalaxy g : galaxies) {
            File f = dir.resolve("png").resolve(g.id() + ".png").toFile();
            BufferedImage img = ImageIO.read(f);
            assertNotNull(img, f + " is a readable image");
            assertEquals(64, img.getWidth());
            assertEquals(64, img.getHeight());
        }
    }
}
