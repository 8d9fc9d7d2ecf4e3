package org.astropt.stream.core.token;

import org.astropt.stream.core.image.CutoutImage;

/**
 * Tokenizes {@code alert-triplet} images (science, template, difference; core/decode
 * CutoutDecoder#decodeAlertTriplet) with the alert model's patch size, keeping every pixel of the stamp:
 * the stamp is zero-padded, centred, up to the next multiple of the patch size (the odd pixel of padding
 * goes to the bottom and right). With 8 px patches a ZTF 63x63 stamp becomes 64x64 (1 px padding on the
 * bottom and right), an 8x8 grid of 64 tokens; a Rubin 30x30 stamp becomes 32x32 (1 px each side), 16
 * tokens. Padding is not counted as blank; NaN in the stamps (and the edge fill of stamps of unequal
 * shape) is, against {@link TokenizerSettings#maxNanFraction()}. Thread-safe.
 */
public final class AlertTripletTokenizer {

    /** The patch side of alert models: stamps are 30 to 63 px, so 16 px patches would leave 4 to 16 tokens. */
    public static final int DEFAULT_PATCH_SIZE = 8;

    private final TokenizerSettings settings;

    /** {@code settings}' patch size and blank limit are used; its fixed crop size, if any, is not. */
    public AlertTripletTokenizer(TokenizerSettings settings) {
        this.settings = settings.withSize(null);
    }

    public TokenizerSettings settings() { return settings; }

    /** The side a width x height stamp is padded to: the next multiple of the patch size. */
    public int side(int width, int height) {
        int p = settings.patchSize();
        return (Math.max(width, height) + p - 1) / p * p;
    }

    public Tokens tokenize(String input, CutoutImage triplet) {
        return new PatchTokenizer(settings.withSize(side(triplet.width(), triplet.height()))).tokenize(input, triplet);
    }
}
