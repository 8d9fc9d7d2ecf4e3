package org.astropt.stream.trainer;

import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.schemas.TokenSequence;

/**
 * One record of astropt.tokens: where it was read, the decoded sequence and its bytes as they came (the
 * held-out sample keeps those).
 */
record TokenRecord(int partition, long offset, TokenSequence sequence, byte[] value) {

    String id() { return sequence.getId(); }

    /** [tokenCount][tokenDim], as the model reads it. */
    float[][] tokens() { return TokenSequences.tokens(sequence); }

    /** Held out of training when its id's hash falls below the fraction (Trainer.Split.idHash: the split the CLI's train uses). */
    boolean heldOut(double fraction) { return Trainer.Split.idHash(id()) < fraction; }
}
