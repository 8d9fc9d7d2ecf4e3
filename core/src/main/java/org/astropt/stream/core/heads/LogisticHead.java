package org.astropt.stream.core.heads;

/**
 * One fitted probe head: a logistic regression on standardised {@link HeadFeatures}, and the probability above
 * which it raises a flag. The trainer fits it (trainer/HeadFitter); the pipeline and the server apply it.
 *
 * @param name      the score it writes: {@code artefact} (any kind) or {@code artefact_<kind>}
 * @param mean      per-feature mean the features are centred with
 * @param scale     per-feature scale they are divided by (positive)
 * @param weights   one weight per standardised feature
 * @param intercept the logit at the mean
 * @param threshold the probability at or above which a flag is raised, chosen on held-out data for
 *                  precision {@link ScoreHeads#TARGET_PRECISION}; NaN when no threshold reached it (the score
 *                  is reported, no flag is raised)
 */
public record LogisticHead(String name, double[] mean, double[] scale, double[] weights, double intercept, double threshold) {

    public LogisticHead {
        if (mean.length != scale.length || mean.length != weights.length) {
            throw new IllegalArgumentException("head " + name + ": " + mean.length + " means, " + scale.length + " scales and "
                    + weights.length + " weights; they must be one per feature");
        }
    }

    /** The probability that features x show what the head was fitted for. */
    public double probability(double[] x) {
        if (x.length != weights.length) {
            throw new IllegalArgumentException("head " + name + " reads " + weights.length + " features, got " + x.length);
        }
        double logit = intercept;
        for (int j = 0; j < x.length; j++) logit += weights[j] * (x[j] - mean[j]) / scale[j];
        return 1 / (1 + Math.exp(-logit));
    }

    /** Whether probability p raises this head's flag. */
    public boolean flags(double p) {
        return !Double.isNaN(threshold) && p >= threshold;
    }
}
