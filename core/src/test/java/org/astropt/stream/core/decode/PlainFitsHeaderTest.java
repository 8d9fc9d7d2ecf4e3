package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.sim.AlertSimulator;
import org.astropt.stream.core.sim.AlertSurvey;
import org.astropt.stream.core.sim.RubinPacketWriter;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.sim.ZtfPacketWriter;
import org.junit.jupiter.api.Test;

/**
 * The plain header reader gives the same cutout as nom-tam-fits' header parsing, on every kind of file
 * the project reads: the real samples of ../shared/data/real, synthetic survey stamps (49 cards of
 * truth) and synthetic ZTF and Rubin alert stamps; and it leaves to nom-tam-fits what it does not read.
 */
class PlainFitsHeaderTest {

    private final DecodeLimits limits = DecodeLimits.defaults();
    private final FitsDecoder plain = new FitsDecoder(limits, true);
    private final FitsDecoder nomTam = new FitsDecoder(limits, false);

    @Test
    void realSampleFilesAndTheirAlertStampsDecodeAsWithNomTamFits() throws IOException {
        Path dir = SharedFixtures.realData();
        List<Path> fits, avro;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.sorted().toList();
            fits = all.stream().filter(p -> p.toString().endsWith(".fits")).toList();
            avro = all.stream().filter(p -> p.toString().endsWith(".avro")).toList();
        }
        assertTrue(fits.size() >= 4, "real FITS samples: " + fits);
        List<String> inPlace = new ArrayList<>();
        for (Path f : fits) {
            byte[] bytes = Files.readAllBytes(f);
            assertSameCutout(bytes, f.getFileName().toString());
            if (PlainFitsHeader.read(bytes, 0, cardsBeforeEnd(bytes)) != null) inPlace.add(f.getFileName().toString());
        }
        // The GalSim sample's header is plain, so the comparison above exercised the new reader; the DECaLS
        // headers carry a HIERARCH card (TIME_RECORDED), which is left to nom-tam-fits.
        assertEquals(List.of("galsim_cosmos147246_masknoise.fits"), inPlace);
        int stamps = 0;
        for (Path a : avro) {
            try (DataFileReader<GenericRecord> r = new DataFileReader<>(a.toFile(), new GenericDatumReader<>())) {
                for (GenericRecord alert : r) {
                    for (byte[] stamp : fitsStamps(alert)) {
                        assertSameCutout(stamp, a.getFileName() + " stamp " + stamps++);
                    }
                }
            }
        }
        assertTrue(stamps >= 3, "the ZTF sample's three stamps, found " + stamps);
    }

    @Test
    void syntheticSurveyStampsDecodeAsWithNomTamFitsAndAreReadInPlace() throws IOException {
        SyntheticSurvey survey = new SyntheticSurvey(20261206L, 64, 24).withNovelFraction(0.3);
        for (int i = 0; i < survey.count(); i++) {
            byte[] fits = SurveyWriter.fitsBytes(survey.galaxy(i));
            assertNotNull(PlainFitsHeader.read(fits, 0, cardsBeforeEnd(fits)), "stamp " + i + " read in place");
            CutoutImage image = assertSameCutout(fits, "survey stamp " + i);
            assertEquals(survey.galaxy(i).id(), image.metadata().get("OBJECT"));
        }
        byte[] large = SurveyWriter.fitsBytes(new SyntheticSurvey(7, 256, 1).galaxy(0));
        assertSameCutout(large, "256-pixel survey stamp");
    }

    @Test
    void syntheticZtfAndRubinAlertStampsDecodeAsWithNomTamFits() throws IOException {
        Path dir = SharedFixtures.realData();
        ZtfPacketWriter ztf = ZtfPacketWriter.fromSample(dir.resolve("ztf_739260766315010006.avro"));
        AlertSimulator ztfAlerts = new AlertSimulator(AlertSurvey.ZTF, 3);
        int stamps = 0;
        for (int i = 0; i < 4; i++) {
            try (DataFileReader<GenericRecord> r = new DataFileReader<>(
                    new SeekableByteArrayInput(ztf.packet(ztfAlerts.alert(i))), new GenericDatumReader<>())) {
                for (byte[] stamp : fitsStamps(r.next())) assertSameCutout(stamp, "ZTF alert " + i + " stamp " + stamps++);
            }
        }
        RubinPacketWriter rubin = RubinPacketWriter.fromSample(dir.resolve("lsst_v11_0_fakeAlert.avro"),
                RubinPacketWriter.DEFAULT_SCHEMA_ID);
        AlertSimulator rubinAlerts = new AlertSimulator(AlertSurvey.RUBIN, 4);
        Schema schema = rubin.schema();
        for (int i = 0; i < 4; i++) {
            byte[] frame = rubin.packet(rubinAlerts.alert(i)); // Confluent: magic 0, schema id, Avro body
            GenericRecord alert = new GenericDatumReader<GenericRecord>(schema).read(null,
                    DecoderFactory.get().binaryDecoder(frame, 5, frame.length - 5, null));
            for (byte[] stamp : fitsStamps(alert)) assertSameCutout(stamp, "Rubin alert " + i + " stamp " + stamps++);
        }
        assertEquals(24, stamps, "three stamps per alert");
    }

    @Test
    void headersItDoesNotReadGoToNomTamFitsAndDecodeTheSame() {
        String[] base = {"SIMPLE  =                    T", FitsFiles.num("BITPIX", -32), FitsFiles.num("NAXIS", 2),
                FitsFiles.num("NAXIS1", 2), FitsFiles.num("NAXIS2", 2)};
        String[][] unusual = {
                {"OBJECT  = 'a long name &'", "CONTINUE  'continued'"},        // long string
                {"OBJECT  = 'one'", "OBJECT  = 'two'"},                         // repeated keyword
                {"HIERARCH ESO DET CHIP = 'x'"},                                // HIERARCH
                {"CPLX    = (1.0, 2.0)"},                                        // complex value
                {"EMPTY   =                      / undefined"},                 // no value
                {"BSCALE  = 'one'"},                                            // structural card of the wrong kind
        };
        for (String[] cards : unusual) {
            byte[] fits = FitsFiles.handMade(16, concat(base, cards));
            assertNull(PlainFitsHeader.read(fits, 0, cardsBeforeEnd(fits)), String.join(" | ", cards));
            assertSameCutout(fits, String.join(" | ", cards));
        }
    }

    @Test
    void valuesAreReadAsFitsWritesThem() {
        byte[] fits = FitsFiles.handMade(16, "SIMPLE  =                    T", FitsFiles.num("BITPIX", -32),
                FitsFiles.num("NAXIS", 2), FitsFiles.num("NAXIS1", 2), FitsFiles.num("NAXIS2", 2),
                "OBJECT  = 'O''Brien galaxy  '   / quoted quote, trailing blanks", "EXPTIME =               1.5D2",
                "MJD-OBS =        58000.123456 / comment", "GAIN    =                  -3 /", "FLAG    =                    F",
                "COMMENT   anything 'at all' = here", "HISTORY written by hand", "        blank keyword");
        PlainFitsHeader h = PlainFitsHeader.read(fits, 0, cardsBeforeEnd(fits));
        assertNotNull(h);
        assertEquals("O'Brien galaxy", h.stringValue("OBJECT"));
        assertEquals(150.0, h.doubleValue("EXPTIME", 0), 0);
        assertEquals(-3, h.longValue("GAIN", 0));
        assertEquals(false, h.booleanValue("FLAG", true));
        assertEquals(true, h.booleanValue("SIMPLE", false));
        assertEquals(7, h.longValue("MISSING", 7));
        CutoutImage image = assertSameCutout(fits, "hand-made header");
        assertEquals(Map.of("OBJECT", "O'Brien galaxy", "EXPTIME", "1.5D2", "MJD-OBS", "58000.123456", "GAIN", "-3",
                "decode.format", "FITS"), image.metadata());
    }

    @Test
    void badInputFailsWithTheSameOneLineErrorEitherWay() {
        byte[] truncated = FitsFiles.handMade(8, "SIMPLE  =                    T", FitsFiles.num("BITPIX", -32),
                FitsFiles.num("NAXIS", 2), FitsFiles.num("NAXIS1", 2), FitsFiles.num("NAXIS2", 2));
        byte[] badBitpix = FitsFiles.handMade(16, "SIMPLE  =                    T", FitsFiles.num("BITPIX", 12),
                FitsFiles.num("NAXIS", 2), FitsFiles.num("NAXIS1", 2), FitsFiles.num("NAXIS2", 2));
        for (byte[] fits : List.of(truncated, badBitpix)) assertSameCutout(fits, "bad.fits");
    }

    @Test
    void damagedHeadersDecodeOrFailAsWithNomTamFits() throws IOException {
        byte[] stamp = SurveyWriter.fitsBytes(new SyntheticSurvey(99, 16, 1).galaxy(0));
        int headerBytes = (cardsBeforeEnd(stamp) + 1) * 80;
        byte[] alphabet = "  =''/.-+0123456789ETFDAZ&(,)".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.util.Random random = new java.util.Random(20261206);
        int readInPlace = 0;
        for (int m = 0; m < 3000; m++) {
            byte[] mutant = stamp.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                mutant[random.nextInt(headerBytes - 80)] = alphabet[random.nextInt(alphabet.length)];
            }
            if (PlainFitsHeader.read(mutant, 0, Math.max(0, cardsBeforeEnd(mutant))) != null) readInPlace++;
            StringBuilder changed = new StringBuilder();
            for (int at = 0; at < headerBytes; at += 80) {
                if (!Arrays.equals(stamp, at, at + 80, mutant, at, at + 80)) {
                    changed.append(" [").append(new String(mutant, at, 80, java.nio.charset.StandardCharsets.US_ASCII)).append(']');
                }
            }
            assertSameCutout(mutant, "mutant " + m + changed);
        }
        assertTrue(readInPlace > 1500, "most mutants still plain: " + readInPlace);
    }

    /** Decodes with both header readers; equal pixels (bit for bit), bands and metadata, or equal errors. */
    private CutoutImage assertSameCutout(byte[] fits, String input) {
        CutoutImage expected;
        try {
            expected = nomTam.decode(fits, input);
        } catch (InvalidCutoutException e) {
            InvalidCutoutException mine = org.junit.jupiter.api.Assertions.assertThrows(InvalidCutoutException.class,
                    () -> plain.decode(fits, input), input + ": nom-tam-fits said " + e.getMessage());
            assertEquals(e.getMessage(), mine.getMessage());
            return null;
        }
        CutoutImage actual = plain.decode(fits, input);
        assertEquals(expected.bands(), actual.bands(), input);
        assertEquals(expected.metadata(), actual.metadata(), input);
        assertEquals(expected.bandCount(), actual.bandCount(), input);
        for (int b = 0; b < expected.bandCount(); b++) {
            for (int y = 0; y < expected.height(); y++) {
                assertArrayEquals(expected.pixels()[b][y], actual.pixels()[b][y], input + " band " + b + " row " + y);
            }
        }
        return actual;
    }

    /** Every bytes field of the alert, nested records included, holding FITS or gzipped FITS. */
    private static List<byte[]> fitsStamps(GenericRecord record) {
        List<byte[]> out = new ArrayList<>();
        for (Schema.Field f : record.getSchema().getFields()) {
            Object v = record.get(f.pos());
            if (v instanceof GenericRecord nested) out.addAll(fitsStamps(nested));
            if (v instanceof ByteBuffer b) {
                byte[] bytes = new byte[b.remaining()];
                b.duplicate().get(bytes);
                if (MagicBytes.of(bytes) == MagicBytes.FITS || MagicBytes.of(bytes) == MagicBytes.GZIP) out.add(bytes);
            }
        }
        return out;
    }

    private static int cardsBeforeEnd(byte[] fits) {
        for (int c = 0; c * 80 + 4 <= fits.length; c++) {
            if (fits[c * 80] == 'E' && fits[c * 80 + 1] == 'N' && fits[c * 80 + 2] == 'D' && fits[c * 80 + 3] == ' ') return c;
        }
        return -1;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
