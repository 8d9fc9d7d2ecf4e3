package org.astropt.stream.trainer;

import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.schemas.TokenSequence;
import org.astropt.stream.trainer.evaluation.GalaxyLabels;

/**
 * One record of astropt.tokens: where it was read, the decoded sequence and its bytes as they came (the
 * held-out sample keeps those).
 */
record TokenRecord(int partition, long offset, TokenSequence sequence, byte[] value) {

    String id() { return sequence.getId(); }

    /** [tokenCount][tokenDim], as the model reads it. */
    float[][] tokens() { return TokenSequences.tokens(sequence); }

    /**
     * One of the synthetic survey's novel objects (a merger, ring or lens: its metadata's truth.novel or
     * NOVEL card names the kind), which the demo feed mixes in for judging novelty on a population no model
     * trained on.
     */
    boolean novel() {
        var provenance = sequence.getProvenance();
        return provenance != null && provenance.getMetadata() != null
                && GalaxyLabels.fromMetadata(provenance.getMetadata()).map(GalaxyLabels::isNovel).orElse(false);
    }

    /** Held out of training when its id's hash falls below the fraction (Trainer.Split.idHash: the split the CLI's train uses). */
    boolean heldOut(double fraction) { return Trainer.Split.idHash(id()) < fraction; }
}
