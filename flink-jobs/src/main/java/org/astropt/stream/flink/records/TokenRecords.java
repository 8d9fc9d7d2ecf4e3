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
        metadata = new HashMap<>(metadata);
        org.astropt.stream.schemas.TokenizerSettings settings = org.astropt.stream.schemas.TokenizerSettings.newBuilder()
                .setPatchSize(tokens.patchSize())
                .setCropSize(tokens.cropSize())
                .setBandOrder(List.copyOf(tokens.bands()))
                .setFlipped(fromFitsOrder(cutout))
                .setStretch("none")
                .setPadding(Math.max(Math.max(tokens.padding().top(), tokens.padding().bottom()),
                        Math.max(tokens.padding().left(), tokens.padding().right())))
                .setTokenizerVersion(tokens.settings().version())
                .build();
        Provenance provenance = Provenance.newBuilder()
                .setSurvey(cutout.getSurvey())
                .setRa(cutout.getRa())
                .setDec(cutout.getDec())
                .setObservedTime(cutout.getObservedTime())
                .setSourceTopic(source.topic)
                .setSourcePartition(source.partition < 0 ? null : source.partition)
                .setSourceOffset(source.offset < 0 ? null : source.offset)
                .setMetadata(metadata)
                .build();
        return TokenSequence.newBuilder()
                .setId(cutout.getId())
                .setTokenizer(settings)
                .setGridSize(tokens.gridSize())
                .setTokenCount(tokens.tokenCount())
                .setTokenDim(tokens.tokenDim())
                .setDtype(precision == TokenPacking.Precision.FLOAT16 ? TokenDtype.FLOAT16 : TokenDtype.FLOAT32)
                .setTokens(ByteBuffer.wrap(TokenPacking.pack(tokens.data(), precision)))
                .setNanFraction((float) tokens.nanFraction())
                .setProvenance(provenance)
                .setLayout(layout.id())
                .build();
    }

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
