package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.generic.GenericRecord;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alert packets built here: container files (null and deflate codecs) and Confluent frames. */
class AlertDecoderTest {

    /** FITS-order stamp rows: value = base + 100 * row + x, row 0 at the bottom. */
    static float[][] stampRows(int base) {
        float[][] rows = new float[9][11];
        for (int r = 0; r < 9; r++) for (int x = 0; x < 11; x++) rows[r][x] = base + 100 * r + x;
        return rows;
    }

    static byte[] gzippedStamp(int base) {
        return FitsFiles.gzip(FitsFiles.write(FitsFiles.image(stampRows(base))));
    }

    private static void assertStamp(int base, CutoutImage image) {
        float[][] rows = stampRows(base);
        assertEquals(List.of(9, 11), List.of(image.height(), image.width()));
        for (int y = 0; y < 9; y++) assertArrayEquals(rows[8 - y], image.pixels()[0][y]);
    }

    @Test
    void containerAlertGivesTheConfiguredStampAndItsIds() {
        for (CodecFactory codec : List.of(CodecFactory.nullCodec(), CodecFactory.deflateCodec(6))) {
            byte[] alert = AlertPackets.container(AlertPackets.ztfLike(gzippedStamp(0), gzippedStamp(5000)), codec);
            CutoutImage science = new CutoutDecoder().decode(alert, "ztf.avro", ImageFormat.ZTF_ALERT, null, null);
            assertStamp(0, science);
            assertEquals(List.of("r"), science.bands()); // candidate.fid = 2
            Map<String, String> meta = science.metadata();
            assertEquals("ZTF00test", meta.get("objectId"));
            assertEquals("1234567890123", meta.get("candid"));
            assertEquals(2458493.76, Double.parseDouble(meta.get("candidate.jd")));
            assertEquals(150.25, Double.parseDouble(meta.get("ra")));
            assertEquals(-2.5, Double.parseDouble(meta.get("dec")));
            assertEquals("cutoutScience", meta.get("alert.stamp"));
            assertEquals("sci.fits.gz", meta.get("alert.stampFile"));
            assertEquals("ZTF_ALERT", meta.get("decode.format"));

            CutoutDecoder templates = new CutoutDecoder(DecodeLimits.defaults().withAlertStamp(AlertStamp.TEMPLATE));
            assertStamp(5000, templates.decode(alert, "ztf.avro", ImageFormat.AUTO, null, null));
        }
    }

    @Test
    void nullStampIsAClearError() {
        byte[] alert = AlertPackets.container(AlertPackets.ztfLike(null, gzippedStamp(0)), CodecFactory.nullCodec());
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                () -> new CutoutDecoder().decode(alert, "ztf.avro", ImageFormat.AUTO, null, null));
        assertEquals("ztf.avro: alert field cutoutScience is null (the alert carries no stamp)", e.getMessage());
    }

    @Test
    void confluentFramedAlertUsesTheSchemaItsIdNames(@TempDir Path dir) throws Exception {
        GenericRecord record = AlertPackets.ztfLike(gzippedStamp(300), null);
        byte[] frame = AlertPackets.confluent(17, record);
        CutoutDecoder inMemory = new CutoutDecoder(DecodeLimits.defaults(),
                new InMemoryAlertSchemas(Map.of(17, AlertPackets.ZTF_LIKE)));
        assertStamp(300, inMemory.decode(frame, "kafka", ImageFormat.AUTO, null, null));

        Files.writeString(dir.resolve("17.avsc"), AlertPackets.ZTF_LIKE.toString(true));
        CutoutDecoder folder = new CutoutDecoder(DecodeLimits.defaults(), AlertSchemas.folder(dir));
        assertStamp(300, folder.decode(frame, "kafka", ImageFormat.RUBIN_ALERT, null, null));

        InvalidCutoutException unknown = assertThrows(InvalidCutoutException.class,
                () -> folder.decode(AlertPackets.confluent(18, record), "kafka", ImageFormat.AUTO, null, null));
        assertEquals("kafka: Confluent-framed alert names writer schema id 18, which the configured AlertSchemas"
                + " does not know", unknown.getMessage());
    }

    @Test
    void cutoutRecordsDecodeWithTheirFormatBandsAndMetadata() {
        byte[] fits = FitsFiles.write(FitsFiles.image(new float[][][] {stampRows(0), stampRows(1)}));
        Cutout record = Cutout.newBuilder().setId("obj-1").setSurvey("synthetic").setFormat(ImageFormat.FITS)
                .setImage(ByteBuffer.wrap(fits)).setBands(List.of("r", "i")).setMetadata(Map.of("producer", "test"))
                .build();
        CutoutImage image = new CutoutDecoder().decode(record);
        assertEquals(List.of("r", "i"), image.bands());
        assertEquals("test", image.metadata().get("producer"));
        assertEquals("FITS", image.metadata().get("decode.format"));

        // The record's bytes as Avro's reader leaves them (a whole heap array), a slice of a larger array and a
        // read-only view all decode to the same image; the whole array is read in place and left unchanged.
        byte[] padded = new byte[fits.length + 7];
        java.util.Arrays.fill(padded, (byte) 'X');
        System.arraycopy(fits, 0, padded, 3, fits.length);
        byte[] before = fits.clone();
        for (ByteBuffer view : List.of(ByteBuffer.wrap(padded, 3, fits.length), ByteBuffer.wrap(fits).asReadOnlyBuffer(),
                ByteBuffer.wrap(padded, 3, fits.length).slice())) {
            CutoutImage other = new CutoutDecoder().decode(Cutout.newBuilder(record).setImage(view).build());
            for (int b = 0; b < 2; b++) org.junit.jupiter.api.Assertions.assertArrayEquals(image.pixels()[b], other.pixels()[b]);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, fits);

        Cutout wrongCount = Cutout.newBuilder(record).setBands(List.of("g", "r", "z")).build();
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class, () -> new CutoutDecoder().decode(wrongCount));
        assertEquals("obj-1: record lists 3 bands [g, r, z] but its image holds 2", e.getMessage());
    }
}
