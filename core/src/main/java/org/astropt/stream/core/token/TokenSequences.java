package org.astropt.stream.core.token;

import org.astropt.stream.schemas.TokenDtype;
import org.astropt.stream.schemas.TokenSequence;

/** Reads the tokens of a TokenSequence record (astropt.tokens) back as the model takes them: the pipeline and the trainer share it. */
public final class TokenSequences {

    private TokenSequences() {}

    /** The tokens as [tokenCount][tokenDim]; packed bytes that do not hold tokenCount x tokenDim values are an error naming the id. */
    public static float[][] tokens(TokenSequence s) {
        TokenPacking.Precision precision = s.getDtype() == TokenDtype.FLOAT16
                ? TokenPacking.Precision.FLOAT16 : TokenPacking.Precision.FLOAT32;
        return TokenPacking.unpackTokens(s.getTokens(), precision, s.getTokenCount(), s.getTokenDim(), s.getId().toString());
    }
}
