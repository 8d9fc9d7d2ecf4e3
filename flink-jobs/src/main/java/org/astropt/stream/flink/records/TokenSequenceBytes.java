package org.astropt.stream.flink.records;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.astropt.stream.core.token.TokenPacking;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Provenance;
import org.astropt.stream.schemas.TokenSequence;
import org.astropt.stream.schemas.TokenizerSettings;

/**
 * Writes the tokenize stage's TokenSequence records (the astropt.tokens value, and what the embed stage reads) straight
 * to their single-object bytes, field by field, the token values packed straight into the record's buffer: the same
 * bytes as {@code AvroCodec.of(TokenSequence.class).encode} of the record with those tokens packed (EmbedRecordBytesTest),
 * without Avro's encoder, its growing output stream, or an array of packed tokens of their own.
 *
 * <p>Holds one growing buffer, reused from record to record: one per task thread, built in open(). It checks at
 * construction that the TokenSequence schema still has the fields it writes, in order, so a schema change fails
 * loudly here rather than writing records of the old layout.
 */
public final class TokenSequenceBytes {

    static final List<String> FIELDS = List.of("id", "tokenizer", "gridSize", "tokenCount", "tokenDim", "dtype", "tokens",
            "nanFraction", "provenance", "layout");
    static final List<String> TOKENIZER_FIELDS = List.of("patchSize", "cropSize", "bandOrder", "flipped", "stretch", "padding",
            "tokenizerVersion");
    static final List<String> PROVENANCE_FIELDS = List.of("survey", "ra", "dec", "observedTime", "sourceTopic",
            "sourcePartition", "sourceOffset", "metadata");

    private final long fingerprint;
    private final AvroBinary.Writer out = new AvroBinary.Writer();

    public TokenSequenceBytes() {
        Schema schema = TokenSequence.getClassSchema();
        List<String> fields = names(schema), tokenizer = names(schema.getField("tokenizer").schema()),
                provenance = names(schema.getField("provenance").schema());
        if (!fields.equals(FIELDS) || !tokenizer.equals(TOKENIZER_FIELDS) || !provenance.equals(PROVENANCE_FIELDS)) {
            throw new IllegalStateException("the TokenSequence schema's fields are " + fields + ", tokenizer " + tokenizer
                    + ", provenance " + provenance + ", not the ones TokenSequenceBytes writes (" + FIELDS + ", "
                    + TOKENIZER_FIELDS + ", " + PROVENANCE_FIELDS + "): update it");
        }
        fingerprint = AvroCodec.of(TokenSequence.class).fingerprint();
    }

    private static List<String> names(Schema record) {
        return record.getFields().stream().map(Schema.Field::name).toList();
    }

    /**
     * The record's bytes, its tokens field being {@code values} packed at {@code precision} (the record's own tokens
     * field is not read: {@link TokenRecords#withoutTokens} leaves it empty).
     *
     * @throws IllegalArgumentException naming a required field that is null
     */
    public byte[] encode(TokenSequence s, float[] values, TokenPacking.Precision precision) {
        out.reset();
        out.writeHeader(fingerprint);
        out.writeString(required(s.getId(), "id"));
        TokenizerSettings t = s.getTokenizer();
        out.writeLong(t.getPatchSize());
        out.writeLong(t.getCropSize());
        List<String> bands = t.getBandOrder();
        if (!bands.isEmpty()) {
            out.writeLong(bands.size());
            for (String band : bands) out.writeString(required(band, "tokenizer.bandOrder"));
        }
        out.writeLong(0);
        out.writeBoolean(t.getFlipped());
        out.writeString(required(t.getStretch(), "tokenizer.stretch"));
        out.writeLong(t.getPadding());
        out.writeString(required(t.getTokenizerVersion(), "tokenizer.tokenizerVersion"));
        out.writeLong(s.getGridSize());
        out.writeLong(s.getTokenCount());
        out.writeLong(s.getTokenDim());
        out.writeLong(precision == TokenPacking.Precision.FLOAT16 ? 1 : 0); // TokenDtype's symbols: FLOAT32, FLOAT16
        int length = values.length * precision.bytesPerValue();
        out.writeLong(length);
        int at = out.reserve(length); // before array(): the buffer may grow
        TokenPacking.packInto(values, precision, out.array(), at);
        out.writeFloat(s.getNanFraction());
        Provenance p = s.getProvenance();
        out.writeString(required(p.getSurvey(), "provenance.survey"));
        if (p.getRa() == null) out.writeLong(0);
        else { out.writeLong(1); out.writeDouble(p.getRa()); }
        if (p.getDec() == null) out.writeLong(0);
        else { out.writeLong(1); out.writeDouble(p.getDec()); }
        if (p.getObservedTime() == null) out.writeLong(0);
        else { out.writeLong(1); out.writeLong(p.getObservedTime().toEpochMilli()); }
        if (p.getSourceTopic() == null) out.writeLong(0);
        else { out.writeLong(1); out.writeString(p.getSourceTopic()); }
        if (p.getSourcePartition() == null) out.writeLong(0);
        else { out.writeLong(1); out.writeLong(p.getSourcePartition()); }
        if (p.getSourceOffset() == null) out.writeLong(0);
        else { out.writeLong(1); out.writeLong(p.getSourceOffset()); }
        Map<String, String> metadata = p.getMetadata();
        if (!metadata.isEmpty()) {
            out.writeLong(metadata.size());
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                out.writeString(required(e.getKey(), "provenance.metadata key"));
                out.writeString(required(e.getValue(), "provenance.metadata[" + e.getKey() + "]"));
            }
        }
        out.writeLong(0);
        out.writeString(required(s.getLayout(), "layout"));
        return out.toByteArray();
    }

    private String required(String value, String field) {
        if (value == null) throw new IllegalArgumentException("cannot encode TokenSequence as Avro: " + field + " is null");
        return value;
    }
}
