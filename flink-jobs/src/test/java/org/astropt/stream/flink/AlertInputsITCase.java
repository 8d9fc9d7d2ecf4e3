package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.flink.functions.ServingModel;
import org.astropt.stream.kafka.InProcessBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.PipelineStage;
import org.astropt.stream.schemas.TokenSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raw ZTF alert packets on a ztf-alert input (a topic pattern, beside the cutouts topic) through the in-process
 * broker and a Flink mini cluster: they leave as alert-triplet TokenSequences keyed by candid and, through an
 * alert model (the patch8 fixture's shape, 3 channels, random weights, input_layout alert-triplet), as
 * Embeddings carrying the alert's fields; corrupted packets become dead letters with their bytes and one line.
 * A Rubin packet on a rubin-alert input (writer schema from a folder) goes the same way; a grz cutout on the
 * cutouts input and raw FITS on a fits input (keyed by its id) are tokenized as grz-cutouts but refused by the
 * alert model; a FITS record without a key is dead-lettered.
 */
class AlertInputsITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** The patch8 fixture's network (2 layers, 4 heads, 64 wide, 8 px patches, 3 channels) reading alert triplets. */
    static final ModelConfig ALERT_MODEL = new ModelConfig(2, 4, 64, 3, 256, 8, false, 0.0)
            .withInputLayout(InputLayout.ALERT_TRIPLET);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final InProcessBroker kafka = new InProcessBroker();

    @Test
    void ztfPacketsBecomeAlertTripletsAndEmbeddingsWithTheirFieldsAndCorruptCopiesDeadLetter() throws Exception {
        byte[] real = Files.readAllBytes(SharedFixtures.realData("ztf_739260766315010006.avro"));
        Map<String, byte[]> good = new LinkedHashMap<>();
        good.put("739260766315010006", real);
        good.put("739260766315010007", withCandid(real, 739260766315010007L, "f"));
        good.put("739260766315010008", withCandid(real, 739260766315010008L, "t"));
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("truncated", Arrays.copyOf(real, real.length / 2));
        byte[] flipped = real.clone();
        for (int i = 200; i < 260; i++) flipped[i] ^= (byte) 0x5a;
        bad.put("flipped", flipped);
        byte[] magic = real.clone();
        magic[0] = 'X';
        bad.put("wrong-magic", magic);

        try (PipelineFixture p = new PipelineFixture(kafka.broker(), "alerts")) {
            String alertsTopic = p.name + ".alerts.ztf", rubinTopic = p.name + ".rubin", fitsTopic = p.name + ".fits";
            try (var admin = kafka.broker().admin()) {
                admin.createTopics(List.of(new NewTopic(alertsTopic, 2, (short) 1), new NewTopic(rubinTopic, 1, (short) 1),
                                new NewTopic(fitsTopic, 1, (short) 1)).stream()
                        .map(t -> t.configs(Map.of("max.message.bytes", String.valueOf(KafkaEdges.MAX_RECORD_BYTES)))).toList())
                        .all().get();
            }
            // a Rubin v11 packet: the sample's schema in a folder under its registry id, 30x30 stamps, Confluent-framed
            GenericRecord rubin = rubinSample();
            Path schemas = Files.createDirectories(dir.resolve("schemas"));
            Files.writeString(schemas.resolve("1100.avsc"), rubin.getSchema().toString());
            byte[] rubinPacket = rubinPacket(rubin, 1100);
            String diaSourceId = String.valueOf(rubin.get("diaSourceId"));
            Path model = dir.resolve("alert-model");
            try (AstroPTModel m = AstroPTModel.create(ALERT_MODEL, AstroPTModel.defaultDevice(), 7)) {
                Checkpoint.save(m, model, Safetensors.Dtype.F32);
            }
            p.sendModel(pointer("astropt-ztf", 1, model));
            Properties props = new Properties();
            props.setProperty("pipeline.batch-size", "4");
            props.setProperty("pipeline.batch-delay-ms", "20");
            props.setProperty("pipeline.checkpoint-interval-ms", "300");
            props.setProperty("pipeline.transactional-id-prefix", p.name);
            props.setProperty("pipeline.group-id", p.name);
            props.setProperty("pipeline.inputs", p.topics.name(Topics.CUTOUTS) + "=cutout, /" + p.name + "\\.alerts\\..*/=ztf-alert, "
                    + rubinTopic + "=rubin-alert, " + fitsTopic + "=fits");
            props.setProperty("decode.schema-folder", schemas.toString());
            p.start(PipelineSettings.of(props).withParallelism(1));
            for (var e : good.entrySet()) p.sendTo(alertsTopic, e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue());
            for (var e : bad.entrySet()) p.sendTo(alertsTopic, e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue());
            p.sendTo(rubinTopic, diaSourceId.getBytes(StandardCharsets.UTF_8), rubinPacket);
            p.sendCutouts(p.synthetic(5, 0, 1)); // a grz cutout: tokenized, but not for the alert model
            byte[] fits = p.synthetic(6, 0, 1).get(0).getImage().array();
            p.sendTo(fitsTopic, "raw-galaxy".getBytes(StandardCharsets.UTF_8), fits); // raw FITS keyed by its id
            p.sendTo(fitsTopic, null, fits);                                            // no key: no id
            p.flush();

            AvroCodec<TokenSequence> sequences = AvroCodec.of(TokenSequence.class);
            Set<String> tokenIds = new HashSet<>();
            Map<String, TokenSequence> others = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : p.committed(Topics.TOKENS, 6, Duration.ofSeconds(90))) {
                TokenSequence s = sequences.decode(r.value());
                if (!s.getProvenance().getSourceTopic().equals(alertsTopic)) {
                    others.put(s.getId(), s);
                    continue;
                }
                tokenIds.add(s.getId());
                assertEquals("alert-triplet", s.getLayout());
                assertEquals(List.of("science", "template", "difference"), s.getTokenizer().getBandOrder());
                assertEquals(64, s.getTokenCount()); // 63 px padded to 64: 8 x 8 patches of 8 px
                assertEquals(8 * 8 * 3, s.getTokenDim());
                assertEquals("ZTF", s.getProvenance().getSurvey());
                assertEquals(alertsTopic, s.getProvenance().getSourceTopic());
            }
            assertEquals(good.keySet(), tokenIds);
            TokenSequence fromRubin = others.get(diaSourceId);
            assertEquals("alert-triplet", fromRubin.getLayout());
            assertEquals(16, fromRubin.getTokenCount()); // 30 px padded to 32: 4 x 4 patches of 8 px
            assertEquals("Rubin", fromRubin.getProvenance().getSurvey());
            assertEquals("grz-cutout", others.get("syn-5-000000").getLayout());
            assertEquals("grz-cutout", others.get("raw-galaxy").getLayout());
            assertEquals(fitsTopic, others.get("raw-galaxy").getProvenance().getSourceTopic());
            assertEquals("synthetic-grz", others.get("raw-galaxy").getProvenance().getSurvey(), "from the FITS SURVEY card");

            AvroCodec<Embedding> embeddings = AvroCodec.of(Embedding.class);
            Map<String, Map<String, String>> metadata = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : p.committed(Topics.EMBEDDINGS, 4, Duration.ofSeconds(60))) {
                Embedding e = embeddings.decode(r.value());
                assertEquals("astropt-ztf", e.getModelName());
                assertEquals(64, e.getVector().size());
                assertTrue(e.getVector().stream().allMatch(Float::isFinite), e.getId());
                metadata.put(e.getId(), e.getMetadata());
            }
            Map<String, String> rubinFields = metadata.remove(diaSourceId);
            assertEquals("3141592653", rubinFields.get("objectId"));
            assertEquals("Rubin", rubinFields.get("survey"));
            for (String key : List.of("ra", "dec", "mjd", "band", "isdiffpos")) assertTrue(rubinFields.containsKey(key), key + " in " + rubinFields);
            assertEquals(good.keySet(), metadata.keySet());
            for (var e : metadata.entrySet()) {
                Map<String, String> m = e.getValue();
                assertEquals(e.getKey(), m.get("candid"));
                assertEquals("ZTF17aaacxxf", m.get("objectId"));
                assertEquals("r", m.get("band"));
                for (String key : List.of("ra", "dec", "jd", "magpsf", "isdiffpos", "rb")) assertTrue(m.containsKey(key), key + " in " + m);
            }
            assertEquals("f", metadata.get("739260766315010007").get("isdiffpos"));
            assertEquals("true", metadata.get("739260766315010007").get("triplet.differenceFlipped"));

            AvroCodec<DeadLetter> letters = AvroCodec.of(DeadLetter.class);
            Map<String, PipelineStage> stages = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : p.committed(Topics.DEAD_LETTER, 6, Duration.ofSeconds(60))) {
                DeadLetter d = letters.decode(r.value());
                if (d.getKey() == null) {
                    assertEquals(PipelineStage.VALIDATE, d.getStage());
                    assertEquals(fitsTopic + "-0@1 (fits): a fits input needs the object id as the record key; this record has none",
                            d.getReason());
                    continue;
                }
                String key = new String(d.getKey().array(), StandardCharsets.UTF_8);
                if (key.equals("syn-5-000000") || key.equals("raw-galaxy")) {
                    assertEquals(PipelineStage.EMBED, d.getStage());
                    assertEquals(key + ": a grz-cutout sequence does not fit astropt-ztf v1, which reads alert-triplet"
                            + " (input_layout in its config.json)", d.getReason());
                    continue;
                }
                byte[] got = new byte[d.getValue().remaining()];
                d.getValue().duplicate().get(got);
                assertArrayEquals(bad.get(key), got, key);
                assertEquals(alertsTopic, d.getSourceTopic());
                assertTrue(d.getReason().startsWith(alertsTopic + "-"), d.getReason());
                assertTrue(d.getReason().contains("(ztf-alert)"), d.getReason());
                assertFalse(d.getReason().contains("\n"), d.getReason());
                stages.put(key, d.getStage());
            }
            assertEquals(Map.of("truncated", PipelineStage.DECODE, "flipped", PipelineStage.DECODE,
                    "wrong-magic", PipelineStage.VALIDATE), stages);
        }
    }

    /** The Rubin v11 sample packet (GPL: read from ../shared, never copied; its cutouts are null). */
    private static GenericRecord rubinSample() throws Exception {
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(
                SharedFixtures.realData("lsst_v11_0_fakeAlert.avro").toFile(), new GenericDatumReader<>())) {
            return reader.next();
        }
    }

    /** The sample with 30x30 plain FITS stamps of a point source and a diaObjectId, Confluent-framed under schemaId. */
    private static byte[] rubinPacket(GenericRecord alert, int schemaId) throws Exception {
        GenericRecord source = (GenericRecord) alert.get("diaSource");
        source.put("diaObjectId", 3_141_592_653L);
        for (String field : List.of("cutoutScience", "cutoutTemplate", "cutoutDifference")) {
            float[][] stamp = new float[30][30];
            for (float[] row : stamp) Arrays.fill(row, field.equals("cutoutDifference") ? 0f : 100f);
            stamp[15][15] += field.equals("cutoutTemplate") ? 0f : 50f;
            stamp[3][7] += 1f;
            try (nom.tam.fits.Fits fits = new nom.tam.fits.Fits(); ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    nom.tam.util.FitsOutputStream out = new nom.tam.util.FitsOutputStream(bytes)) {
                fits.addHDU(nom.tam.fits.Fits.makeHDU(stamp));
                fits.write(out);
                out.flush();
                alert.put(field, java.nio.ByteBuffer.wrap(bytes.toByteArray()));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(schemaId).array());
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(alert.getSchema()).write(alert, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** The packet re-written with another candid (top level and candidate) and isdiffpos, schema and stamps as they were. */
    private static byte[] withCandid(byte[] packet, long candid, String isdiffpos) throws Exception {
        File in = dir.resolve("in-" + candid + ".avro").toFile();
        Files.write(in.toPath(), packet);
        GenericRecord alert;
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(in, new GenericDatumReader<>())) {
            alert = reader.next();
        }
        alert.put("candid", candid);
        GenericRecord candidate = (GenericRecord) alert.get("candidate");
        candidate.put("candid", candid);
        candidate.put("isdiffpos", isdiffpos);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(alert.getSchema()))) {
            w.create(alert.getSchema(), out);
            w.append(alert);
        }
        return out.toByteArray();
    }

    private static ModelVersion pointer(String name, long version, Path dir) {
        Path weights = dir.resolve(Checkpoint.WEIGHTS_FILE);
        ModelConfig c = ALERT_MODEL;
        return ModelVersion.newBuilder()
                .setName(name)
                .setVersion(version)
                .setArchitecture(ModelArchitecture.newBuilder().setNLayer(c.nLayer()).setNHead(c.nHead()).setNEmbd(c.nEmbd())
                        .setNChan(c.nChan()).setBlockSize(c.blockSize()).setPatchSize(c.patchSize()).setBias(c.bias())
                        .setDropout(c.dropout()).build())
                .setWeightsUri(weights.toUri().toString())
                .setSha256(ServingModel.sha256(weights))
                .setSizeBytes(0)
                .setStatus(ModelStatus.PROMOTED)
                .setCreatedTime(Instant.now())
                .build();
    }
}
