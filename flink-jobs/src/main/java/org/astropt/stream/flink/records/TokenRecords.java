package org.astropt.stream.flink.records;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.TokenPacking;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.Provenance;
import org.astropt.stream.schemas.TokenDtype;
import org.astropt.stream.schemas.TokenSequence;
import org.astropt.stream.schemas.TokenizerSettings;

/** Builds the TokenSequence record of one tokenized cutout, and reads its tokens back for the model. */
public final class TokenRecords {

    private TokenRecords() {}

    /**
     * @param metadata the decoded image's metadata: the record's own metadata over the file's (FITS header
     *                 cards such as the synthetic survey's truth, alert fields), so the trainer's probes find labels
     */
    public static TokenSequence sequence(Cutout cutout, Map<String, String> metadata, Tokens tokens, SourceRecord source) {
        return sequence(cutout, metadata, tokens, source, InputLayout.GRZ_CUTOUT, TokenPacking.Precision.FLOAT32);
    }

    /**
     * {@link #sequence(Cutout, Map, Tokens, SourceRecord)} of tokens made in the given layout, packed at the given
     * precision ({@code pipeline.token-dtype}).
     */
    public static TokenSequence sequence(Cutout cutout, Map<String, String> metadata, Tokens tokens, SourceRecord source,
            InputLayout layout, TokenPacking.Precision precision) {
        TokenSequence s = withoutTokens(cutout, metadata, tokens, source, layout, precision);
        s.setTokens(ByteBuffer.wrap(TokenPacking.pack(tokens.data(), precision)));
        return s;
    }

    /**
     * The bytes of {@link #sequence(Cutout, Map, Tokens, SourceRecord, InputLayout, TokenPacking.Precision)}, as
     * {@code AvroCodec.of(TokenSequence.class).encode} writes them, the tokens packed straight into the record's bytes
     * ({@link TokenSequenceBytes}: the tokenize stage's writer).
     */
    public static byte[] sequenceBytes(Cutout cutout, Map<String, String> metadata, Tokens tokens, SourceRecord source,
            InputLayout layout, TokenPacking.Precision precision, TokenSequenceBytes writer) {
        return writer.encode(withoutTokens(cutout, metadata, tokens, source, layout, precision), tokens.data(), precision);
    }

    /**
     * The record but its tokens (left empty), built with the records' constructors (Avro's builders check and copy
     * every field): every rule of what goes into a TokenSequence is here.
     */
    static TokenSequence withoutTokens(Cutout cutout, Map<String, String> metadata, Tokens tokens, SourceRecord source,
            InputLayout layout, TokenPacking.Precision precision) {
        // a HashMap copy, as before: its iteration order is the order astropt.tokens records have always carried the cards in
        Map<String, String> cards = new HashMap<>(metadata);
        TokenizerSettings settings = new TokenizerSettings(tokens.patchSize(), tokens.cropSize(), List.copyOf(tokens.bands()),
                fromFitsOrder(cutout), "none",
                Math.max(Math.max(tokens.padding().top(), tokens.padding().bottom()),
                        Math.max(tokens.padding().left(), tokens.padding().right())),
                tokens.settings().version());
        Provenance provenance = new Provenance(cutout.getSurvey(), cutout.getRa(), cutout.getDec(), cutout.getObservedTime(),
                source.topic, source.partition < 0 ? null : source.partition, source.offset < 0 ? null : source.offset, cards);
        return new TokenSequence(cutout.getId(), settings, tokens.gridSize(), tokens.tokenCount(), tokens.tokenDim(),
                precision == TokenPacking.Precision.FLOAT16 ? TokenDtype.FLOAT16 : TokenDtype.FLOAT32, NO_TOKENS,
                (float) tokens.nanFraction(), provenance, layout.id());
    }

    private static final ByteBuffer NO_TOKENS = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** The tokens as [tokenCount][tokenDim]. */
    public static float[][] tokens(TokenSequence s) {
        return TokenSequences.tokens(s);
    }

    /** FITS (and the FITS stamps of alerts) store row 0 at the bottom: the decoder flipped them. */
    static boolean fromFitsOrder(Cutout c) {
        ImageFormat f = c.getFormat();
        if (f == ImageFormat.PNG || f == ImageFormat.JPEG || f == ImageFormat.RAW_FLOAT32) return false;
        if (f != ImageFormat.AUTO) return true;
        ByteBuffer b = c.getImage().duplicate();
        if (b.remaining() < 2) return true;
        int b0 = b.get(b.position()) & 0xff;
        int b1 = b.get(b.position() + 1) & 0xff;
        boolean png = b0 == 0x89 && b1 == 'P';
        boolean jpeg = b0 == 0xff && b1 == 0xd8;
        return !(png || jpeg);
    }
}
