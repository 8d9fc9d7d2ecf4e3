package org.astropt.stream.core.token;

/**
 * How cutouts become tokens. Carried in every TokenSequence so a consumer can tell how its tokens
 * were made (DESIGN.md, Tokenization).
 *
 * @param patchSize      side of one square patch in pixels. Default 16: what AstroPT v1 was trained on,
 *                       so its released weights expect 16 * 16 * C values per token.
 * @param size           side of the square the cutout is centre-cropped (or zero-padded) to, a multiple
 *                       of {@code patchSize}; null picks the largest such square that fits the cutout's
 *                       smaller side. Default null: tokenize whatever size the survey sends, losing at
 *                       most patchSize - 1 pixels per axis.
 * @param maxNanFraction largest fraction of blank (NaN or infinite) values, over the pixels kept, that
 *                       a cutout may have; blanks become 0. Default 0.5: beyond half blank the cutout is
 *                       mostly off the detector or masked, and its tokens would describe the fill.
 * @param version        the token layout; "astropt-v1" is the only one there is: swapped axes,
 *                       channel-fastest values, per-token normalisation, centre-out spiral.
 */
public record TokenizerSettings(int patchSize, Integer size, double maxNanFraction, String version) {

    public static final int DEFAULT_PATCH_SIZE = 16;
    public static final double DEFAULT_MAX_NAN_FRACTION = 0.5;
    public static final String ASTROPT_V1 = "astropt-v1";

    public TokenizerSettings {
        if (patchSize < 1) {
            throw new IllegalArgumentException("patch size must be at least 1 pixel, not " + patchSize);
        }
        if (size != null && (size < patchSize || size % patchSize != 0)) {
            throw new IllegalArgumentException("crop size " + size + " must be a positive multiple of the patch size " + patchSize);
        }
        if (!(maxNanFraction >= 0 && maxNanFraction <= 1)) {
            throw new IllegalArgumentException("max NaN fraction must be between 0 and 1, not " + maxNanFraction);
        }
        if (!ASTROPT_V1.equals(version)) {
            throw new IllegalArgumentException("tokenizer version must be " + ASTROPT_V1 + ", not " + version);
        }
    }

    /** 16-pixel patches, size from the cutout, at most half blank, astropt-v1. */
    public static TokenizerSettings defaults() {
        return new TokenizerSettings(DEFAULT_PATCH_SIZE, null, DEFAULT_MAX_NAN_FRACTION, ASTROPT_V1);
    }

    /** These settings with a fixed crop size (null: from the cutout). */
    public TokenizerSettings withSize(Integer newSize) {
        return new TokenizerSettings(patchSize, newSize, maxNanFraction, version);
    }

    /** These settings with another limit on the blank fraction. */
    public TokenizerSettings withMaxNanFraction(double fraction) {
        return new TokenizerSettings(patchSize, size, fraction, version);
    }

    /** These settings with another patch size; a fixed crop size must still be a multiple of it. */
    public TokenizerSettings withPatchSize(int newPatchSize) {
        return new TokenizerSettings(newPatchSize, size, maxNanFraction, version);
    }
}
