package org.astropt.stream.flink.records;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.astropt.stream.core.token.TokenPacking;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.TokenDtype;
import org.astropt.stream.schemas.TokenSequence;

/**
 * What the embed stage reads of a TokenSequence's bytes: its layout, token shape and dtype, its tokens, and its
 * provenance metadata as the Avro bytes of a {@code map<string>}, which the Embedding carries on unchanged
 * ({@link EmbeddingBytes}). Bytes in the current TokenSequence schema (what the tokenize stage writes) are read in
 * place, field by field: no record, no String per metadata card, no copy of the token bytes, which are unpacked
 * straight from the message's array. Any other writer schema (older records in the schema history, the Confluent
 * wire format: a backfill's token records) goes through {@link AvroCodec}, with the same result.
 *
 * <p>{@link Reader} holds nothing per record (thread-safe) but an AvroCodec (not Serializable): build it in open().
 */
public final class TokenSequenceFields {

    private final String id;
    private final String layout;
    private final int tokenCount;
    private final int tokenDim;
    private final TokenPacking.Precision precision;
    private final ByteBuffer tokens;
    private final byte[] metadata;
    private final int metadataAt;
    private final int metadataLength;

    private TokenSequenceFields(String id, String layout, int tokenCount, int tokenDim, TokenPacking.Precision precision,
            ByteBuffer tokens, byte[] metadata, int metadataAt, int metadataLength) {
        this.id = id;
        this.layout = layout;
        this.tokenCount = tokenCount;
        this.tokenDim = tokenDim;
        this.precision = precision;
        this.tokens = tokens;
        this.metadata = metadata;
        this.metadataAt = metadataAt;
        this.metadataLength = metadataLength;
    }

    public String layout() { return layout; }

    public int tokenCount() { return tokenCount; }

    public int tokenDim() { return tokenDim; }

    /** The tokens as [tokenCount][tokenDim] (TokenSequences' rule); packed bytes that do not hold them are an error naming the id. */
    public float[][] tokens() {
        return TokenPacking.unpackTokens(tokens, precision, tokenCount, tokenDim, id);
    }

    /** Writes the provenance metadata as Avro writes a {@code map<string>}, its entries in the sequence's order. */
    void writeMetadata(AvroBinary.Writer out) {
        out.writeRaw(metadata, metadataAt, metadataLength);
    }

    /** Reads TokenSequence bytes into {@link TokenSequenceFields}; one per task (it holds the codec of other schemas). */
    public static final class Reader {
        private final AvroCodec<TokenSequence> codec = AvroCodec.of(TokenSequence.class);
        private final long fingerprint = codec.fingerprint();

        /**
         * @param id the sequence's id, for errors
         * @throws IllegalArgumentException (AvroDecodeException among them) for bytes that are not a TokenSequence
         */
        public TokenSequenceFields read(byte[] sequence, String id) {
            if (!AvroBinary.isSingleObject(sequence, fingerprint)) return fromRecord(codec.decode(sequence));
            AvroBinary.Reader in = new AvroBinary.Reader(sequence, AvroBinary.HEADER_BYTES, "TokenSequence " + id);
            in.skipString(); // id
            in.readInt(); // tokenizer: patchSize, cropSize
            in.readInt();
            for (long n = in.readBlockCount(); n > 0; n = in.readBlockCount()) {
                for (long k = 0; k < n; k++) in.skipString(); // bandOrder
            }
            in.readBoolean(); // flipped
            in.skipString(); // stretch
            in.readInt(); // padding
            in.skipString(); // tokenizerVersion
            in.readInt(); // gridSize
            int tokenCount = in.readInt();
            int tokenDim = in.readInt();
            int dtype = in.readInt();
            if (dtype != 0 && dtype != 1) throw in.malformed("dtype symbol " + dtype + " of FLOAT32, FLOAT16");
            int tokensLength = in.readLength();
            ByteBuffer tokens = ByteBuffer.wrap(sequence, in.at, tokensLength);
            in.skip(tokensLength);
            in.skip(4); // nanFraction
            in.skipString(); // provenance: survey
            if (in.readOptional()) in.skip(8); // ra
            if (in.readOptional()) in.skip(8); // dec
            if (in.readOptional()) in.readLong(); // observedTime
            if (in.readOptional()) in.skipString(); // sourceTopic
            if (in.readOptional()) in.readInt(); // sourcePartition
            if (in.readOptional()) in.readLong(); // sourceOffset
            int metadataAt = in.at;
            boolean canonical = true; // one block with its count, as Avro's encoder writes maps, or none
            int blocks = 0;
            for (long n = in.readLong(); n != 0; n = in.readLong()) {
                if (n < 0) {
                    canonical = false;
                    in.readLong();
                    n = -n;
                }
                if (++blocks > 1) canonical = false;
                for (long k = 0; k < n; k++) {
                    in.skipString();
                    in.skipString();
                }
            }
            int metadataEnd = in.at;
            String layout = in.readString();
            if (!in.atEnd()) throw in.malformed("bytes left over after the record");
            TokenPacking.Precision precision = dtype == 1 ? TokenPacking.Precision.FLOAT16 : TokenPacking.Precision.FLOAT32;
            if (!canonical) return withMetadata(id, layout, tokenCount, tokenDim, precision, tokens, metadataOf(sequence, metadataAt, id));
            return new TokenSequenceFields(id, layout, tokenCount, tokenDim, precision, tokens,
                    sequence, metadataAt, metadataEnd - metadataAt);
        }

        private static TokenSequenceFields fromRecord(TokenSequence s) {
            TokenPacking.Precision precision = s.getDtype() == TokenDtype.FLOAT16
                    ? TokenPacking.Precision.FLOAT16 : TokenPacking.Precision.FLOAT32;
            return withMetadata(s.getId(), s.getLayout(), s.getTokenCount(), s.getTokenDim(), precision,
                    s.getTokens(), s.getProvenance().getMetadata());
        }

        private static TokenSequenceFields withMetadata(String id, String layout, int tokenCount, int tokenDim,
                TokenPacking.Precision precision, ByteBuffer tokens, Map<String, String> metadata) {
            AvroBinary.Writer w = new AvroBinary.Writer();
            w.writeStringMap(metadata);
            byte[] bytes = w.toByteArray();
            return new TokenSequenceFields(id, layout, tokenCount, tokenDim, precision, tokens, bytes, 0, bytes.length);
        }

        /** A metadata map written in several blocks (not by Avro's Java encoder), read in its order. */
        private static Map<String, String> metadataOf(byte[] sequence, int at, String id) {
            AvroBinary.Reader in = new AvroBinary.Reader(sequence, at, "TokenSequence " + id);
            Map<String, String> map = new LinkedHashMap<>();
            for (long n = in.readBlockCount(); n > 0; n = in.readBlockCount()) {
                for (long k = 0; k < n; k++) map.put(in.readString(), in.readString());
            }
            return map;
        }
    }
}
