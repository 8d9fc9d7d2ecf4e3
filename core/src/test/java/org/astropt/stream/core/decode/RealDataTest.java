package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real sample files of ../shared/data/real (SOURCES.md), decoded as users will decode them. */
class RealDataTest {

    private static Path dir;
    private final CutoutDecoder decoder = new CutoutDecoder();

    @BeforeAll
    static void findData() {
        dir = SharedFixtures.realData();
    }

    private static Path file(String name) { return dir.resolve(name); }

    @Test
    void decalsBandsAreNamedByFilterAndCombineOnceCroppedToTheirCommonShape() {
        List<Path> grz = List.of(file("decals_dr9_S4_g.fits"), file("decals_dr9_S4_r.fits"), file("decals_dr9_S4_z.fits"));
        List<CutoutImage> singles = grz.stream().map(decoder::decode).toList();
        assertEquals(List.of(List.of("g"), List.of("r"), List.of("z")), singles.stream().map(CutoutImage::bands).toList());
        assertEquals("DECaLS_7513_g", singles.get(0).metadata().get("OBJECT"));
        assertEquals(140.0, Double.parseDouble(singles.get(0).metadata().get("EXPTIME")));

        // The sample's z crop is one column narrower than g and r: combining as is must say so.
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class, () -> CutoutDecoder.combineBands(singles));
        assertTrue(e.getMessage().contains("band input 3 is 100 x 100 pixels but input 1 is 101 x 100"), e.getMessage());

        CutoutImage combined = CutoutDecoder.combineBands(CutoutDecoder.cropToCommonShape(singles));
        // decodeBands, what `astropt tokenize g.fits r.fits z.fits` calls, crops that pixel away by itself.
        CutoutImage fromFiles = decoder.decodeBands(grz);
        assertEquals(combined.bands(), fromFiles.bands());
        for (int b = 0; b < 3; b++) assertArrayEquals(combined.pixels()[b], fromFiles.pixels()[b]);
        assertTrue(fromFiles.metadata().get("g:decode.crop").contains("101x100 centre-cropped to 100x100"),
                fromFiles.metadata().toString());
        assertEquals(List.of("g", "r", "z"), combined.bands());
        assertEquals(List.of(100, 100), List.of(combined.width(), combined.height()));
        for (int b = 0; b < 3; b++) {
            float[][] single = singles.get(b).pixels()[0];
            for (int y = 0; y < 100; y++) {
                float[] expected = java.util.Arrays.copyOfRange(single[y], 0, 100); // 101 -> 100: offset (101-100)/2 = 0
                assertArrayEquals(expected, combined.pixels()[b][y]);
            }
        }
        // SOURCES.md: not sky-subtracted, medians 263 (g) to 2870 (z) ADU, a saturated source near 5.7e4.
        double[] medians = new double[3];
        double max = 0;
        for (int b = 0; b < 3; b++) {
            CutoutDescription.Band stats = CutoutInspector.bandStats(combined.bands().get(b), combined.pixels()[b]);
            assertEquals(0, stats.nanCount());
            medians[b] = stats.median();
            max = Math.max(max, stats.max());
        }
        assertEquals(263, medians[0], 263 * 0.01);
        assertTrue(medians[1] > medians[0] && medians[1] < medians[2], "r median " + medians[1]);
        assertEquals(2870, medians[2], 2870 * 0.01);
        assertEquals(5.7e4, max, 0.1e4);
    }

    @Test
    void galsimHstGalaxyIsOne543SquareBandWithItsBrightCoreNearTheCentre() {
        CutoutImage galaxy = decoder.decode(file("galsim_cosmos147246_masknoise.fits"));
        assertEquals(List.of(1, 543, 543), List.of(galaxy.bandCount(), galaxy.height(), galaxy.width()));
        int peakY = 0, peakX = 0;
        float[][] p = galaxy.pixels()[0];
        for (int y = 0; y < 543; y++) {
            for (int x = 0; x < 543; x++) {
                assertTrue(Float.isFinite(p[y][x]));
                if (p[y][x] > p[peakY][peakX]) { peakY = y; peakX = x; }
            }
        }
        assertTrue(Math.abs(peakY - 271) < 60 && Math.abs(peakX - 271) < 60, "peak at " + peakY + "," + peakX);
        assertEquals("HST", galaxy.metadata().get("TELESCOP"));
    }

    @Test
    void ztfAlertGivesEachOfItsThree63PixelStamps() {
        Path alert = file("ztf_739260766315010006.avro");
        CutoutImage science = decoder.decode(alert);
        assertEquals(List.of(1, 63, 63), List.of(science.bandCount(), science.height(), science.width()));
        assertEquals(List.of("r"), science.bands()); // candidate.fid = 2
        assertEquals("ZTF17aaacxxf", science.metadata().get("objectId"));
        assertEquals("739260766315010006", science.metadata().get("candid"));
        assertTrue(science.metadata().containsKey("candidate.jd") && science.metadata().containsKey("candidate.magpsf"));
        assertEquals("cutoutScience", science.metadata().get("alert.stamp"));

        CutoutImage template = new CutoutDecoder(DecodeLimits.defaults().withAlertStamp(AlertStamp.TEMPLATE)).decode(alert);
        CutoutImage difference = new CutoutDecoder(DecodeLimits.defaults().withAlertStamp(AlertStamp.DIFFERENCE)).decode(alert);
        assertEquals(List.of(63, 63), List.of(template.height(), difference.height()));
        assertTrue(template.metadata().get("alert.stampFile").endsWith("_ref.fits.gz"));
        assertFalse(java.util.Arrays.deepEquals(science.pixels(), template.pixels()));
        // The difference image is near zero where the template is near the science image's sky level.
        double sciMedian = CutoutInspector.bandStats("s", science.pixels()[0]).median();
        double diffMedian = CutoutInspector.bandStats("d", difference.pixels()[0]).median();
        assertTrue(Math.abs(diffMedian) < 0.2 * sciMedian, "difference median " + diffMedian + " vs " + sciMedian);
    }

    @Test
    void rubinSampleHasNoStampsAndSaysSo() {
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                () -> decoder.decode(file("lsst_v11_0_fakeAlert.avro")));
        assertEquals("lsst_v11_0_fakeAlert.avro: alert field cutoutScience is null (Rubin sample alerts carry no stamps)",
                e.getMessage());
    }

    @Test
    void rubinConfluentFrameWithTheSampleSchemaAndAStampDecodes() throws Exception {
        GenericRecord sample;
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(
                new File(file("lsst_v11_0_fakeAlert.avro").toString()), new GenericDatumReader<>())) {
            sample = reader.next();
        }
        sample.put("cutoutScience", ByteBuffer.wrap(AlertDecoderTest.gzippedStamp(40)));
        byte[] frame = AlertPackets.confluent(1100, sample);
        CutoutDecoder rubin = new CutoutDecoder(DecodeLimits.defaults(), new InMemoryAlertSchemas().put(1100, sample.getSchema()));
        CutoutImage image = rubin.decode(frame, "rubin-kafka", ImageFormat.AUTO, null, null);
        float[][] rows = AlertDecoderTest.stampRows(40);
        for (int y = 0; y < rows.length; y++) assertArrayEquals(rows[rows.length - 1 - y], image.pixels()[0][y]);
        GenericRecord diaSource = (GenericRecord) sample.get("diaSource");
        assertEquals(String.valueOf(sample.get("diaSourceId")), image.metadata().get("diaSourceId"));
        assertEquals(String.valueOf(diaSource.get("ra")), image.metadata().get("ra"));
        assertEquals(String.valueOf(diaSource.get("midpointMjdTai")), image.metadata().get("diaSource.midpointMjdTai"));
        assertEquals("RUBIN_ALERT", image.metadata().get("decode.format"));
    }
}
