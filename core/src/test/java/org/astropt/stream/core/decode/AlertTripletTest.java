package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.core.token.TokenizerSettings;
import org.junit.jupiter.api.Test;

/** Alert packets as the alert-triplet layout: the real ZTF packet, a Rubin v11 packet with stamps, corrupted copies. */
class AlertTripletTest {

    private final AlertTripletTokenizer tokenizer = new AlertTripletTokenizer(TokenizerSettings.defaults().withPatchSize(8));

    @Test
    void realZtfPacketIsThreeChannelsOf63PixelsAnd64TokensOf8Pixels() throws Exception {
        Path file = SharedFixtures.realData("ztf_739260766315010006.avro");
        byte[] bytes = Files.readAllBytes(file);
        CutoutImage triplet = new CutoutDecoder().decodeAlertTriplet(bytes, "ztf-packet");
        assertEquals(List.of("science", "template", "difference"), triplet.bands());
        assertEquals(List.of(63, 63), List.of(triplet.height(), triplet.width()));
        var m = triplet.metadata();
        assertEquals("739260766315010006", m.get("candid"));
        assertEquals("ZTF17aaacxxf", m.get("objectId"));
        assertEquals("ZTF", m.get("survey"));
        assertEquals("r", m.get("band"));
        for (String key : List.of("ra", "dec", "jd", "magpsf", "isdiffpos", "rb")) assertNotNull(m.get(key), key);

        // each channel is the stamp the single-stamp decoder gives, the difference flipped only for a negative detection
        for (AlertStamp stamp : AlertStamp.values()) {
            float[][] alone = new CutoutDecoder(DecodeLimits.defaults().withAlertStamp(stamp)).decode(file).pixels()[0];
            float sign = stamp == AlertStamp.DIFFERENCE && "f".equals(m.get("isdiffpos")) ? -1f : 1f;
            for (int y = 0; y < 63; y++) {
                for (int x = 0; x < 63; x++) {
                    float expected = sign * alone[y][x], got = triplet.pixels()[stamp.ordinal()][y][x];
                    if (!(Float.isNaN(expected) && Float.isNaN(got))) assertEquals(expected, got, 0f, stamp + " at " + x + "," + y);
                }
            }
        }

        Tokens tokens = tokenizer.tokenize("ztf-packet", triplet);
        assertEquals(64, tokens.tokenCount()); // 63 -> 64: one zero row and column, every pixel kept
        assertEquals(8 * 8 * 3, tokens.tokenDim());
        assertEquals(new Tokens.Padding(0, 1, 0, 1), tokens.padding());
    }

    @Test
    void rubinPacketIs16TokensAndANegativeDetectionFlipsTheDifference() throws Exception {
        GenericRecord alert = rubinSample();
        byte[] positive = rubin(alert, false, 30);
        byte[] negative = rubin(alert, true, 30);
        CutoutDecoder decoder = new CutoutDecoder(DecodeLimits.defaults(), new InMemoryAlertSchemas().put(1100, alert.getSchema()));
        CutoutImage up = decoder.decodeAlertTriplet(positive, "rubin-up");
        CutoutImage down = decoder.decodeAlertTriplet(negative, "rubin-down");
        GenericRecord source = (GenericRecord) alert.get("diaSource");
        assertEquals(String.valueOf(alert.get("diaSourceId")), up.metadata().get("candid"));
        assertEquals(String.valueOf(source.get("diaObjectId")), up.metadata().get("objectId"));
        assertEquals(String.valueOf(source.get("midpointMjdTai")), up.metadata().get("mjd"));
        assertEquals("Rubin", up.metadata().get("survey"));
        assertEquals("t", up.metadata().get("isdiffpos"));
        assertEquals("f", down.metadata().get("isdiffpos"));
        assertEquals("true", down.metadata().get("triplet.differenceFlipped"));
        assertArrayEquals(up.pixels()[0][5], down.pixels()[0][5]);
        for (int x = 0; x < 30; x++) assertEquals(-up.pixels()[2][5][x], down.pixels()[2][5][x], 0f);
        assertTrue(up.pixels()[2][15][15] > 0, "the difference of a brightening source is positive at its centre");

        Tokens tokens = tokenizer.tokenize("rubin-up", up);
        assertEquals(16, tokens.tokenCount()); // 30 -> 32: one zero pixel on each side
        assertEquals(new Tokens.Padding(1, 1, 1, 1), tokens.padding());
        assertEquals(0.0, tokens.nanFraction());
    }

    @Test
    void stampsCutAtAnEdgeAreFilledAndCounted() throws Exception {
        GenericRecord alert = rubinSample();
        rubin(alert, false, 30);
        alert.put("cutoutTemplate", ByteBuffer.wrap(FitsFiles.write(FitsFiles.image(plane(30, 24, 1f)))));
        byte[] frame = AlertPackets.confluent(1100, alert);
        CutoutImage triplet = new CutoutDecoder(DecodeLimits.defaults(), new InMemoryAlertSchemas().put(1100, alert.getSchema()))
                .decodeAlertTriplet(frame, "rubin-edge");
        assertEquals("180", triplet.metadata().get("triplet.edgeFilled")); // 30 x 6 columns of the template
        Tokens tokens = tokenizer.tokenize("rubin-edge", triplet);
        assertEquals(180.0 / (30 * 30 * 3), tokens.nanFraction(), 1e-9);
    }

    @Test
    void corruptedZtfPacketsFailWithOneLineNamingThem() throws Exception {
        byte[] good = Files.readAllBytes(SharedFixtures.realData("ztf_739260766315010006.avro"));
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        byte[] flipped = good.clone();
        for (int i = 200; i < 260; i++) flipped[i] ^= (byte) 0x5a; // inside the embedded schema
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 'X';
        byte[] noDifference = rubin(rubinSample(), false, 30);
        CutoutDecoder decoder = new CutoutDecoder();
        for (var c : List.of(new Object[] {"truncated", truncated}, new Object[] {"flipped", flipped},
                new Object[] {"wrong-magic", wrongMagic}, new Object[] {"no-schema", noDifference})) {
            String name = (String) c[0];
            InvalidCutoutException e = assertThrows(InvalidCutoutException.class,
                    () -> decoder.decodeAlertTriplet((byte[]) c[1], name), name);
            assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void anAlertWithoutATemplateIsNotATriplet() {
        byte[] packet = AlertPackets.container(AlertPackets.ztfLike(AlertDecoderTest.gzippedStamp(1), null),
                org.apache.avro.file.CodecFactory.nullCodec());
        InvalidCutoutException e = assertThrows(InvalidCutoutException.class, () -> new CutoutDecoder().decodeAlertTriplet(packet, "p"));
        assertEquals("p: alert field cutoutTemplate is null: an alert-triplet needs all three stamps", e.getMessage());
    }

    /** The Rubin v11 sample packet (its cutouts are null). */
    static GenericRecord rubinSample() throws Exception {
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(
                new File(SharedFixtures.realData("lsst_v11_0_fakeAlert.avro").toString()), new GenericDatumReader<>())) {
            return reader.next();
        }
    }

    /** The sample with side x side plain FITS stamps (a point source on sky 100), Confluent-framed under id 1100. */
    static byte[] rubin(GenericRecord alert, boolean negative, int side) {
        GenericRecord source = (GenericRecord) alert.get("diaSource");
        source.put("isNegative", negative);
        source.put("diaObjectId", 3_141_592_653L); // null in the sample: a solar-system source; set as for a DIA object
        float[][] science = plane(side, side, 100f), template = plane(side, side, 100f), difference = plane(side, side, 0f);
        science[side / 2][side / 2] += 50f;
        difference[side / 2][side / 2] += negative ? -50f : 50f;
        alert.put("cutoutScience", ByteBuffer.wrap(FitsFiles.write(FitsFiles.image(science))));
        alert.put("cutoutTemplate", ByteBuffer.wrap(FitsFiles.write(FitsFiles.image(template))));
        alert.put("cutoutDifference", ByteBuffer.wrap(FitsFiles.write(FitsFiles.image(difference))));
        return AlertPackets.confluent(1100, alert);
    }

    private static float[][] plane(int h, int w, float value) {
        float[][] p = new float[h][w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) p[y][x] = value + 0.01f * ((x * 7 + y * 13) % 11);
        return p;
    }
}
