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
        float[] flat = TokenPacking.unpack(s.getTokens(), precision);
        int t = s.getTokenCount();
        int d = s.getTokenDim();
        if (flat.length != (long) t * d) {
            throw new IllegalArgumentException(s.getId() + ": token bytes hold " + flat.length + " values, not " + t + " x " + d);
        }
        float[][] out = new float[t][];
        for (int i = 0; i < t; i++) {
            out[i] = new float[d];
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }
}
