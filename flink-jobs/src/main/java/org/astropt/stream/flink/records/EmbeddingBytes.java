package org.astropt.stream.flink.records;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Embedding;

/**
 * Writes the embed stage's Embedding records straight to their single-object bytes, field by field, with the
 * provenance metadata copied as the TokenSequence carried it ({@link TokenSequenceFields}): the same bytes as
 * {@code AvroCodec.of(Embedding.class).encode} of the record whose metadata map iterates in that order
 * (EmbeddingBytesTest), without a record, builders, boxed vector values, or a String per metadata card.
 *
 * <p>Holds one growing buffer, reused from record to record: one per task thread, built in open(). It checks at
 * construction that the Embedding schema still has the fields it writes, in order, so a schema change fails loudly
 * here rather than writing records of the old layout.
 */
public final class EmbeddingBytes {

    /** The Embedding's fields in schema order, and StageTimings', as this writer writes them. */
    static final List<String> FIELDS = List.of("id", "modelName", "modelVersion", "vector", "surprise", "flags",
            "timings", "metadata", "scores", "hardestTokens");
    static final List<String> TIMINGS_FIELDS = List.of("decodeMicros", "tokenizeMicros", "embedMicros", "sourceTime", "producedTime");

    private final long fingerprint;
    private final AvroBinary.Writer out = new AvroBinary.Writer();

    public EmbeddingBytes() {
        Schema schema = Embedding.getClassSchema();
        List<String> fields = schema.getFields().stream().map(Schema.Field::name).toList();
        List<String> timings = schema.getField("timings").schema().getFields().stream().map(Schema.Field::name).toList();
        if (!fields.equals(FIELDS) || !timings.equals(TIMINGS_FIELDS)) {
            throw new IllegalStateException("the Embedding schema's fields are " + fields + " with timings " + timings
                    + ", not the " + FIELDS + " with " + TIMINGS_FIELDS + " EmbeddingBytes writes: update it");
        }
        fingerprint = AvroCodec.of(Embedding.class).fingerprint();
    }

    /** The times of one object through the pipeline (StageTimings); {@code sourceTimeMs <= 0}: not from Kafka (null). */
    public record Timings(long decodeMicros, long tokenizeMicros, long embedMicros, long sourceTimeMs, long producedTimeMs) {}

    /**
     * One Embedding record's bytes.
     *
     * @param flags the flag kinds raised, each once, in order
     * @param scores by name, in the map's order
     */
    public byte[] encode(String id, String modelName, long modelVersion, float[] vector, float surprise,
            Collection<String> flags, Timings timings, TokenSequenceFields metadataOf, Map<String, Double> scores,
            int[] hardestTokens) {
        out.reset();
        out.writeHeader(fingerprint);
        out.writeString(id);
        out.writeString(modelName);
        out.writeLong(modelVersion);
        if (vector.length > 0) {
            out.writeLong(vector.length);
            for (float v : vector) out.writeFloat(v);
        }
        out.writeLong(0);
        out.writeFloat(surprise);
        if (!flags.isEmpty()) {
            out.writeLong(flags.size());
            for (String f : flags) out.writeString(f);
        }
        out.writeLong(0);
        out.writeLong(timings.decodeMicros());
        out.writeLong(timings.tokenizeMicros());
        out.writeLong(timings.embedMicros());
        if (timings.sourceTimeMs() > 0) {
            out.writeLong(1);
            out.writeLong(timings.sourceTimeMs());
        } else {
            out.writeLong(0);
        }
        out.writeLong(timings.producedTimeMs());
        metadataOf.writeMetadata(out);
        if (!scores.isEmpty()) {
            out.writeLong(scores.size());
            for (Map.Entry<String, Double> e : scores.entrySet()) {
                out.writeString(e.getKey());
                out.writeDouble(e.getValue());
            }
        }
        out.writeLong(0);
        if (hardestTokens.length > 0) {
            out.writeLong(hardestTokens.length);
            for (int position : hardestTokens) out.writeLong(position);
        }
        out.writeLong(0);
        return out.toByteArray();
    }
}
