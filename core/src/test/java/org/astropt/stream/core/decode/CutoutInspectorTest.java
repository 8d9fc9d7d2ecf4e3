package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nom.tam.fits.NullDataHDU;
import org.apache.avro.file.CodecFactory;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.Test;

/** What {@code astropt inspect} reports: structure, statistics and the reason a file does not decode. */
class CutoutInspectorTest {

    private final CutoutInspector inspector = new CutoutInspector(new CutoutDecoder());

    @Test
    void describesHdusAndBandStatisticsOverFinitePixels() {
        float[][] g = {{1, 2, 3}, {4, 5, 6}, {7, 8, Float.NaN}}; // finite: 1..8
        float[][] r = {{10, 10, 10}, {10, 40, 10}, {10, 10, 10}};
        byte[] fits = FitsFiles.write(new NullDataHDU(), FitsFiles.card(FitsFiles.image(g), "EXTNAME", "g"),
                FitsFiles.card(FitsFiles.image(r), "EXTNAME", "r"));
        CutoutDescription d = inspector.inspect(FitsFiles.gzip(fits), "two.fits.gz", ImageFormat.AUTO, null, null);
        assertEquals("FITS (gzip)", d.format());
        assertEquals(List.of("EMPTY", "IMAGE", "IMAGE"), d.hdus().stream().map(CutoutDescription.Hdu::kind).toList());
        assertEquals(List.of(3L, 3L), d.hdus().get(1).shape());
        assertEquals(-32, d.hdus().get(1).bitpix());
        assertEquals("g", d.hdus().get(1).extname());

        CutoutDescription.Band gStats = d.bands().get(0);
        assertEquals("g", gStats.name());
        assertEquals(1, gStats.nanCount());
        assertEquals(1.0, gStats.min());
        assertEquals(8.0, gStats.max());
        assertEquals(4.5, gStats.mean(), 1e-12);
        assertEquals(4.5, gStats.median(), 1e-12); // even count: mean of 4 and 5
        CutoutDescription.Band rStats = d.bands().get(1);
        assertEquals(10.0, rStats.median());
        assertEquals(120.0 / 9, rStats.mean(), 1e-9); // 8 x 10 + 40
        assertNull(d.problem());
        assertTrue(d.toText().contains("band g"));
    }

    @Test
    void describesAlertFieldsAndTheProblemWhenTheStampIsMissing() {
        byte[] alert = AlertPackets.container(AlertPackets.ztfLike(null, AlertDecoderTest.gzippedStamp(0)),
                CodecFactory.nullCodec());
        CutoutDescription d = inspector.inspect(alert, "a.avro", ImageFormat.AUTO, null, null);
        assertEquals("Avro container (alert)", d.format());
        assertEquals("null", d.alertFields().get("cutoutScience"));
        assertTrue(d.alertFields().get("cutoutTemplate").startsWith("stamp ref.fits.gz ("));
        assertEquals("ZTF00test", d.alertFields().get("objectId"));
        assertTrue(d.bands().isEmpty());
        assertEquals("alert field cutoutScience is null (the alert carries no stamp)", d.problem());
    }

    @Test
    void hostileHeadersAreDescribedNotThrown() {
        byte[] huge = FitsFiles.handMade(0, "SIMPLE  =                    T", FitsFiles.num("BITPIX", -32),
                FitsFiles.num("NAXIS", 2), FitsFiles.num("NAXIS1", 1 << 30), FitsFiles.num("NAXIS2", 1 << 30));
        CutoutDescription d = inspector.inspect(huge, "huge.fits", ImageFormat.AUTO, null, null);
        assertTrue(d.problem().contains("over the limit of 16777216 per band"), d.problem());
        assertTrue(d.bands().isEmpty());
    }
}
