package org.astropt.stream.flink.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenPacking.Precision;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.StageTimings;
import org.astropt.stream.schemas.TokenSequence;
import org.junit.jupiter.api.Test;

/**
 * The embed stage's hand-read TokenSequences and hand-written Embeddings ({@link TokenSequenceFields},
 * {@link EmbeddingBytes}) and the tokenize stage's hand-written TokenSequences ({@link TokenSequenceBytes}) against
 * Avro's own codec, on the records of synthetic grz galaxies (their FITS cards as metadata): byte for byte the same
 * TokenSequence and Embedding written, the same tokens and fields read.
 */
class EmbedRecordBytesTest {

    static final AvroCodec<TokenSequence> SEQUENCES = AvroCodec.of(TokenSequence.class);
    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);

    /** The metadata of a decoded synthetic galaxy, plus a value outside ASCII. */
    static Map<String, String> metadata(CutoutImage image) {
        Map<String, String> m = new LinkedHashMap<>(image.metadata());
        m.put("observer", "Zwicky — Ångström");
        return m;
    }

    record Sample(Cutout cutout, Map<String, String> metadata, Tokens tokens, SourceRecord source) {}

    static List<Sample> samples() throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(4_711, 64, 3);
        CutoutDecoder decoder = new CutoutDecoder();
        PatchTokenizer tokenizer = new PatchTokenizer();
        List<Sample> out = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Cutout cutout = Cutout.newBuilder().setId("bytes-" + i).setSurvey("synthetic").setFormat(ImageFormat.AUTO)
                    .setRa(i == 1 ? null : 150.1 + i).setDec(i == 1 ? null : 2.2)
                    .setObservedTime(i == 0 ? Instant.ofEpochMilli(1_760_000_000_123L) : null)
                    .setImage(ByteBuffer.wrap(SurveyWriter.fitsBytes(survey.galaxy(i)))).build();
            CutoutImage image = decoder.decode(cutout);
            SourceRecord source = i == 2 ? new SourceRecord(null, null, null, -1, -1, 0)
                    : new SourceRecord(null, null, "astropt.cutouts", i, 1000 + i, 1_700_000_000_000L + i);
            out.add(new Sample(cutout, i == 2 ? Map.of() : metadata(image), tokenizer.tokenize(cutout.getId(), image), source));
        }
        return out;
    }

    @Test
    void writesTheTokenSequenceBytesAvroWrites() throws Exception {
        TokenSequenceBytes writer = new TokenSequenceBytes();
        for (Sample s : samples()) {
            for (Precision precision : Precision.values()) {
                for (InputLayout layout : List.of(InputLayout.GRZ_CUTOUT, InputLayout.ALERT_TRIPLET)) {
                    byte[] avro = SEQUENCES.encode(TokenRecords.sequence(s.cutout, s.metadata, s.tokens, s.source, layout, precision));
                    byte[] ours = TokenRecords.sequenceBytes(s.cutout, s.metadata, s.tokens, s.source, layout, precision, writer);
                    assertArrayEquals(avro, ours, s.cutout.getId() + " " + precision + " " + layout);
                }
            }
        }
        Sample s = samples().get(0);
        Cutout nameless = Cutout.newBuilder(s.cutout).build();
        nameless.setSurvey(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenRecords.sequenceBytes(
                nameless, s.metadata, s.tokens, s.source, InputLayout.GRZ_CUTOUT, Precision.FLOAT32, writer));
        assertEquals("cannot encode TokenSequence as Avro: provenance.survey is null", e.getMessage());
    }

    @Test
    void readsWhatAvroDecodes() throws Exception {
        TokenSequenceFields.Reader reader = new TokenSequenceFields.Reader();
        for (Sample s : samples()) {
            for (Precision precision : Precision.values()) {
                for (InputLayout layout : List.of(InputLayout.GRZ_CUTOUT, InputLayout.ALERT_TRIPLET)) {
                    byte[] bytes = SEQUENCES.encode(TokenRecords.sequence(s.cutout, s.metadata, s.tokens, s.source, layout, precision));
                    TokenSequence decoded = SEQUENCES.decode(bytes);
                    TokenSequenceFields fields = reader.read(bytes, s.cutout.getId());
                    assertEquals(decoded.getLayout(), fields.layout());
                    assertEquals(decoded.getTokenCount(), fields.tokenCount());
                    assertEquals(decoded.getTokenDim(), fields.tokenDim());
                    assertTrue(Arrays.deepEquals(TokenSequences.tokens(decoded), fields.tokens()), s.cutout.getId() + " " + precision);
                    assertEquals(decoded.getProvenance().getMetadata(), metadataOf(fields));
                }
            }
        }
    }

    @Test
    void readsRecordsOfAnOlderSchemaThroughAvro() throws Exception {
        Sample s = samples().get(0);
        byte[] current = SEQUENCES.encode(TokenRecords.sequence(s.cutout, s.metadata, s.tokens, s.source));
        // TokenSequence v1 is the current schema without its last field, layout: the same body without "grz-cutout"
        Schema v1;
        try (InputStream in = TokenSequence.class.getClassLoader().getResourceAsStream("avro-history/TokenSequence.v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        byte[] old = Arrays.copyOf(current, current.length - 1 - "grz-cutout".length());
        long fingerprint = SchemaNormalization.parsingFingerprint64(v1);
        for (int k = 0; k < 8; k++) old[2 + k] = (byte) (fingerprint >>> (8 * k));
        TokenSequenceFields fields = new TokenSequenceFields.Reader().read(old, "bytes-0");
        assertEquals("grz-cutout", fields.layout());
        assertTrue(Arrays.deepEquals(TokenSequences.tokens(SEQUENCES.decode(current)), fields.tokens()));
        assertEquals(new HashMap<>(s.metadata), metadataOf(fields));
    }

    @Test
    void badBytesAreOneLineErrorsNamingTheSequence() throws Exception {
        Sample s = samples().get(0);
        byte[] bytes = SEQUENCES.encode(TokenRecords.sequence(s.cutout, s.metadata, s.tokens, s.source));
        TokenSequenceFields.Reader reader = new TokenSequenceFields.Reader();
        for (byte[] bad : List.of(Arrays.copyOf(bytes, bytes.length - 3), Arrays.copyOf(bytes, bytes.length + 2), Arrays.copyOf(bytes, 40))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reader.read(bad, "bytes-0").tokens());
            assertTrue(!e.getMessage().contains("\n") && e.getMessage().startsWith("TokenSequence bytes-0 is not a valid Avro record"), e.getMessage());
        }
        // not single-object encoded in the current schema: Avro's codec says why, as before
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reader.read(new byte[] {1, 2, 3}, "bytes-0"));
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains("expected C3 01"), e.getMessage());
    }

    @Test
    void writesTheBytesAvroWrites() throws Exception {
        TokenSequenceFields.Reader reader = new TokenSequenceFields.Reader();
        EmbeddingBytes writer = new EmbeddingBytes();
        int n = 0;
        for (Sample s : samples()) {
            byte[] sequence = SEQUENCES.encode(TokenRecords.sequence(s.cutout, s.metadata, s.tokens, s.source));
            TokenSequenceFields fields = reader.read(sequence, s.cutout.getId());
            n++;
            float[] vector = new float[n == 2 ? 0 : 128];
            for (int k = 0; k < vector.length; k++) vector[k] = (float) Math.sin(k * n) * 3;
            float surprise = n == 3 ? Float.NaN : 0.25f * n;
            List<String> flags = n == 1 ? List.of() : List.of("ARTEFACT", "ANOMALY");
            Map<String, Double> scores = new LinkedHashMap<>();
            if (n != 2) {
                scores.put("surprise", (double) surprise);
                scores.put("artefact_cosmic_ray", 0.93);
            }
            int[] hardest = n == 2 ? new int[0] : new int[] {7, 300, 1};
            long sourceTime = s.source.timestamp;
            EmbeddingBytes.Timings timings = new EmbeddingBytes.Timings(120, 80 * n, 900, sourceTime, 1_765_000_000_000L + n);
            byte[] ours = writer.encode(s.cutout.getId(), "astropt", 7 + n, vector, surprise, flags, timings, fields, scores, hardest);

            List<Float> boxed = new java.util.ArrayList<>();
            for (float v : vector) boxed.add(v);
            List<Integer> positions = Arrays.stream(hardest).boxed().toList();
            Embedding avro = Embedding.newBuilder().setId(s.cutout.getId()).setModelName("astropt").setModelVersion(7 + n)
                    .setVector(boxed).setSurprise(surprise).setFlags(flags)
                    .setTimings(StageTimings.newBuilder().setDecodeMicros(120).setTokenizeMicros(80 * n).setEmbedMicros(900)
                            .setSourceTime(sourceTime > 0 ? Instant.ofEpochMilli(sourceTime) : null)
                            .setProducedTime(Instant.ofEpochMilli(1_765_000_000_000L + n)).build())
                    .setMetadata(new HashMap<>(s.metadata)) // iterates as the tokenize stage's copy did, so in the sequence's order
                    .setScores(scores).setHardestTokens(positions).build();
            assertArrayEquals(EMBEDDINGS.encode(avro), ours, s.cutout.getId());
        }
    }

    /** The metadata as Avro decodes the Avro map bytes the fields hold. */
    static Map<String, String> metadataOf(TokenSequenceFields fields) {
        AvroBinary.Writer w = new AvroBinary.Writer();
        fields.writeMetadata(w);
        AvroBinary.Reader in = new AvroBinary.Reader(w.toByteArray(), 0, "metadata");
        Map<String, String> map = new HashMap<>();
        for (long n = in.readBlockCount(); n > 0; n = in.readBlockCount()) {
            for (long k = 0; k < n; k++) map.put(in.readString(), in.readString());
        }
        assertTrue(in.atEnd());
        return map;
    }
}
