package org.astropt.stream.trainer;

import java.net.URI;
import java.util.Map;
import org.astropt.stream.schemas.ModelStatus;

/**
 * What a training round published.
 *
 * @param round               the round's number (1 for the first)
 * @param version             the version number it got on astropt.models
 * @param status              PROMOTED or REJECTED
 * @param heldOutLoss         the candidate's Huber loss on the held-out sample
 * @param promotedHeldOutLoss the loss of the version that served, measured on the same sample at the same
 *                            time; NaN when none served
 * @param promotedVersion     that version; null when none served
 * @param parentVersion       the version it was fine-tuned from; null when trained from scratch
 * @param sha256              of its weights, also its folder's name in the model store
 * @param folder              its folder in the model store
 * @param metrics             the numbers its ModelVersion record carries (docs/TRAINER.md)
 */
public record RoundResult(long round, long version, ModelStatus status, double heldOutLoss, double promotedHeldOutLoss,
                          Long promotedVersion, Long parentVersion, String sha256, URI folder, Map<String, Double> metrics) {

    public RoundResult {
        metrics = Map.copyOf(metrics);
    }
}
