package org.astropt.stream.trainer.evaluation;

import java.util.SplittableRandom;

/**
 * The k folds every probe of an evaluation shares: object i goes to fold {@code fold[i]}, from a seeded
 * shuffle, so the same objects are held out for the embedding and for the pixel-PCA baseline, and a
 * rerun gives the same figures.
 */
public final class CrossValidation {

    /** Five folds: each fit sees 80 % of the objects, as scikit-learn's default. */
    public static final int DEFAULT_FOLDS = 5;

    private CrossValidation() {}

    /** Fold of each of n objects, 0..k-1, as even as n allows. */
    public static int[] folds(int n, int k, long seed) {
        if (k < 2) throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + k);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] fold = new int[n];
        for (int r = 0; r < n; r++) fold[order[r]] = r % k;
        return fold;
    }

    /** Indices of the objects in (inFold true) or out of (false) fold f. */
    static int[] select(int[] fold, int f, boolean inFold) {
        int count = 0;
        for (int v : fold) if ((v == f) == inFold) count++;
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < fold.length; i++) if ((fold[i] == f) == inFold) out[k++] = i;
        return out;
    }
}
