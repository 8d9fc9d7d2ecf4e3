package org.astropt.stream.core.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.decode.AlertSchemas;
import org.astropt.stream.core.decode.AlertStamp;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.decode.DecodeLimits;
import org.astropt.stream.core.decode.InMemoryAlertSchemas;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synthetic alerts as packets: written with the schemas of the real ZTF and Rubin samples of
 * ../shared/data/real (skipped, saying so, without them), read back by Avro and by the pipeline's
 * {@link CutoutDecoder} exactly as it reads the real packets, and the truth beside them.
 */
class AlertPacketsTest {

    private static final Path ZTF_SAMPLE = Path.of("ztf_739260766315010006.avro");
    private static final Path RUBIN_SAMPLE = Path.of("lsst_v11_0_fakeAlert.avro");

    /** One alert of each kind. */
    private static List<SimulatedAlert> oneOfEach(AlertSurvey survey, long seed) {
        return AlertSimulatorTest.byKind(new AlertSimulator(survey, seed), 1).values().stream().flatMap(List::stream).toList();
    }

    private static CutoutImage decode(byte[] packet, AlertStamp stamp, AlertSchemas schemas) {
        return new CutoutDecoder(DecodeLimits.defaults().withAlertStamp(stamp), schemas)
                .decode(packet, "synthetic", ImageFormat.AUTO, null, null);
    }

    private static void assertStamp(float[][] expected, CutoutImage decoded, String where) {
        assertEquals(1, decoded.bandCount(), where);
        for (int y = 0; y < expected.length; y++) assertArrayEquals(expected[y], decoded.pixels()[0][y], where + " row " + y);
    }

    @Test
    void ztfPacketsCarryTheRealSchemaAndDecodeAsTheRealPacketDoes() throws Exception {
        Path sample = SharedFixtures.realData(ZTF_SAMPLE.toString());
        ZtfPacketWriter writer = ZtfPacketWriter.fromSample(sample);
        Map<String, String> real = new CutoutDecoder().decode(sample).metadata();
        for (SimulatedAlert a : oneOfEach(AlertSurvey.ZTF, 11)) {
            String where = a.truth().kind() + " " + a.truth().index();
            byte[] packet = writer.packet(a);
            assertArrayEquals(packet, ZtfPacketWriter.fromSample(sample).packet(new AlertSimulator(AlertSurvey.ZTF, 11)
                    .alert(a.truth().index())), where + ": the same (seed, index) gives the same bytes");
            try (DataFileReader<GenericRecord> reader = new DataFileReader<>(new SeekableByteArrayInput(packet), new GenericDatumReader<>())) {
                assertEquals(writer.schema(), reader.getSchema(), where);
                GenericRecord r = reader.next();
                GenericRecord c = (GenericRecord) r.get("candidate");
                assertEquals(a.truth().sourceId(), r.get("candid"));
                assertEquals(a.truth().objectId(), r.get("objectId").toString());
                assertNull(c.get("rb"), where);
                assertEquals(a.photometry().positive() ? "t" : "f", c.get("isdiffpos").toString(), where);
                assertEquals(ZtfPacketWriter.PUBLISHER, r.get("publisher").toString());
            }
            CutoutImage science = decode(packet, AlertStamp.SCIENCE, AlertSchemas.none());
            assertStamp(a.science(), science, where);
            assertStamp(a.template(), decode(packet, AlertStamp.TEMPLATE, AlertSchemas.none()), where);
            assertStamp(a.difference(), decode(packet, AlertStamp.DIFFERENCE, AlertSchemas.none()), where);
            assertEquals(List.of(a.truth().band()), science.bands(), where);
            Map<String, String> meta = science.metadata();
            for (String key : List.of("objectId", "candid", "ra", "dec", "candidate.jd", "candidate.fid", "candidate.magpsf",
                    "candidate.sigmapsf", "candidate.isdiffpos", "decode.format", "alert.stamp")) {
                assertTrue(real.containsKey(key) && meta.containsKey(key), where + ": " + key + " in both the real and the synthetic packet");
            }
            assertEquals(real.get("decode.format"), meta.get("decode.format"));
            assertEquals(a.truth().sourceId(), Long.parseLong(meta.get("candid")));
            assertEquals(a.photometry().magnitude(), Double.parseDouble(meta.get("candidate.magpsf")), 1e-4, where);
        }
    }

    @Test
    void rubinPacketsAreConfluentFramedAndDecodeWithTheirSchemaById() throws Exception {
        Path sample = SharedFixtures.realData(RUBIN_SAMPLE.toString());
        RubinPacketWriter writer = RubinPacketWriter.fromSample(sample, RubinPacketWriter.DEFAULT_SCHEMA_ID);
        Schema real;
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(new File(sample.toString()), new GenericDatumReader<>())) {
            real = reader.getSchema();
        }
        AlertSchemas schemas = new InMemoryAlertSchemas().put(RubinPacketWriter.DEFAULT_SCHEMA_ID, real);
        for (SimulatedAlert a : oneOfEach(AlertSurvey.RUBIN, 11)) {
            String where = a.truth().kind() + " " + a.truth().index();
            byte[] packet = writer.packet(a);
            assertEquals(0, packet[0], "magic byte");
            assertEquals(RubinPacketWriter.DEFAULT_SCHEMA_ID, ByteBuffer.wrap(packet, 1, 4).getInt(), "schema id");
            CutoutImage science = decode(packet, AlertStamp.SCIENCE, schemas);
            assertStamp(a.science(), science, where);
            assertStamp(a.template(), decode(packet, AlertStamp.TEMPLATE, schemas), where);
            assertStamp(a.difference(), decode(packet, AlertStamp.DIFFERENCE, schemas), where);
            assertEquals(List.of(a.truth().band()), science.bands(), where);
            Map<String, String> meta = science.metadata();
            assertEquals("RUBIN_ALERT", meta.get("decode.format"));
            assertEquals(a.truth().sourceId(), Long.parseLong(meta.get("diaSourceId")));
            assertEquals(a.truth().objectId(), meta.get("diaSource.diaObjectId"));
            assertEquals(a.photometry().flux(), Double.parseDouble(meta.get("diaSource.psfFlux")), 1e-3 * a.photometry().fluxErr(), where);
            assertEquals(a.truth().time(), Double.parseDouble(meta.get("diaSource.midpointMjdTai")), 1e-9);
            assertTrue(!meta.containsKey("diaSource.reliability"), where + ": reliability is null");
        }
    }

    @Test
    void aFolderHoldsOnePacketPerAlertTheRubinSchemaByIdAndTheTruth(@TempDir Path dir) throws Exception {
        Path sample = SharedFixtures.realData(RUBIN_SAMPLE.toString());
        AlertSimulator sim = new AlertSimulator(AlertSurvey.RUBIN, 5);
        long written = new AlertFolderWriter(RubinPacketWriter.fromSample(sample, 1100)).write(sim.stream(12), dir);
        assertEquals(12, written);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(12, files.filter(f -> f.toString().endsWith(".avro")).count());
        }
        List<Map<String, String>> truth = AlertTruthCatalogue.read(dir.resolve("truth.csv"));
        assertEquals(12, truth.size());
        AlertSchemas folder = AlertSchemas.folder(dir.resolve("schemas"));
        for (int i = 0; i < truth.size(); i++) {
            Map<String, String> row = truth.get(i);
            SimulatedAlert a = sim.alert(i);
            assertEquals(a.truth().kind().name(), row.get("kind"));
            assertEquals(a.truth().kind().real() ? "real" : "bogus", row.get("label"));
            assertEquals(Long.toString(a.truth().sourceId()), row.get("source_id"));
            assertEquals(a.truth().details(), row.get("details"));
            assertEquals(a.truth().kind().real(), !row.get("transient_mag").isEmpty(), "only real alerts have a transient magnitude");
            CutoutImage diff = decode(Files.readAllBytes(dir.resolve(row.get("file"))), AlertStamp.DIFFERENCE, folder);
            assertStamp(a.difference(), diff, row.get("file"));
        }
    }
}
