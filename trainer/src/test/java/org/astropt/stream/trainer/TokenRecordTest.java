package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenPacking.Precision;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.TokenSequence;
import org.junit.jupiter.api.Test;

/** The trainer reads token records of either dtype the pipeline writes (pipeline.token-dtype): the same tokens, float16 to its rounding. */
class TokenRecordTest {

    @Test
    void float16AndFloat32RecordsGiveTheSameTokens() throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(4242, TokenFeed.SIZE, 3);
        PatchTokenizer tokenizer = new PatchTokenizer(TokenizerSettings.defaults().withSize(TokenFeed.SIZE));
        for (int i = 0; i < 3; i++) {
            Cutout c = TokenFeed.cutout(survey, 4242, i);
            CutoutImage image = new CutoutDecoder().decode(c);
            Tokens tokens = tokenizer.tokenize(c.getId(), image);
            SourceRecord source = new SourceRecord(null, null, "test", -1, -1, 0);
            byte[] exact = TokenFeed.TOKENS.encode(TokenRecords.sequence(c, image.metadata(), tokens, source, InputLayout.GRZ_CUTOUT, Precision.FLOAT32));
            byte[] half = TokenFeed.TOKENS.encode(TokenRecords.sequence(c, image.metadata(), tokens, source, InputLayout.GRZ_CUTOUT, Precision.FLOAT16));
            assertTrue(half.length < 0.6 * exact.length, half.length + " bytes against " + exact.length);
            float[][] a = record(exact).tokens(), b = record(half).tokens();
            assertEquals(tokens.tokenCount(), b.length);
            for (int t = 0; t < a.length; t++) {
                assertEquals(tokens.tokenDim(), b[t].length);
                for (int k = 0; k < a[t].length; k++) {
                    assertEquals(tokens.data()[t * tokens.tokenDim() + k], a[t][k], "float32 is exact");
                    // nearest binary16: half a unit in the last place, 2^-11 relative (2^-25 absolute near 0)
                    assertEquals(a[t][k], b[t][k], Math.max(Math.abs(a[t][k]) * 0x1p-11, 0x1p-25), c.getId() + " token " + t);
                }
            }
            assertEquals(record(exact).id(), record(half).id());
        }
    }

    private static TokenRecord record(byte[] value) {
        TokenSequence s = TokenFeed.TOKENS.decode(value);
        return new TokenRecord(0, 0, s, value);
    }
}
