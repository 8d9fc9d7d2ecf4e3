package org.astropt.stream.core.decode;

/**
 * Bounds every decoder checks before it allocates, so a hostile or broken record (a gzip bomb, a FITS
 * header declaring 2^31 x 2^31 pixels, a truncated file) is rejected with a one-line reason instead of
 * exhausting a TaskManager's heap. The defaults fit survey cutouts with a wide margin.
 *
 * @param maxBytes             input size accepted at all (64 MiB: a Kafka record is 1 MiB by default;
 *                             a 2048x2048x4-band float32 FITS file is 64 MiB)
 * @param maxPixels            pixels per band, width x height (4096 x 4096: eight times AstroPT's
 *                             512 x 512 crop on each side, far above any postage stamp)
 * @param maxBands             bands (planes) in one cutout (16: grz, ugrizy and more, never dozens)
 * @param maxHdus              FITS HDUs walked in one file (32: an empty primary, one HDU per band,
 *                             and room for weight or mask extensions that are skipped)
 * @param maxDecompressedBytes bytes after gzip or FITS tile decompression (256 MiB: four times maxBytes,
 *                             so a gzip bomb stops at a known cost)
 * @param maxHeaderCards       80-character cards in one FITS header (10,000: a DECam header has about
 *                             300; more is junk or an attack on header parsing)
 * @param maxMetadataEntries   metadata entries kept from headers and alert fields (256: they travel with
 *                             every token record)
 * @param alertStamp           which alert stamp becomes the cutout (SCIENCE: the galaxy as observed)
 */
public record DecodeLimits(
        long maxBytes,
        long maxPixels,
        int maxBands,
        int maxHdus,
        long maxDecompressedBytes,
        int maxHeaderCards,
        int maxMetadataEntries,
        AlertStamp alertStamp) implements java.io.Serializable {

    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;
    public static final int DEFAULT_MAX_BANDS = 16;
    public static final int DEFAULT_MAX_HDUS = 32;
    public static final long DEFAULT_MAX_DECOMPRESSED_BYTES = 256L << 20;
    public static final int DEFAULT_MAX_HEADER_CARDS = 10_000;
    public static final int DEFAULT_MAX_METADATA_ENTRIES = 256;

    public DecodeLimits {
        if (maxBytes <= 0 || maxPixels <= 0 || maxBands <= 0 || maxHdus <= 0 || maxDecompressedBytes <= 0
                || maxHeaderCards <= 0 || maxMetadataEntries < 0) {
            throw new IllegalArgumentException("decode limits must be positive");
        }
        if (alertStamp == null) alertStamp = AlertStamp.SCIENCE;
    }

    /** The defaults above. */
    public static DecodeLimits defaults() {
        return new DecodeLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_MAX_BANDS, DEFAULT_MAX_HDUS,
                DEFAULT_MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_HEADER_CARDS, DEFAULT_MAX_METADATA_ENTRIES,
                AlertStamp.SCIENCE);
    }

    public DecodeLimits withAlertStamp(AlertStamp stamp) {
        return new DecodeLimits(maxBytes, maxPixels, maxBands, maxHdus, maxDecompressedBytes, maxHeaderCards,
                maxMetadataEntries, stamp);
    }

    public DecodeLimits withMaxBytes(long bytes) {
        return new DecodeLimits(bytes, maxPixels, maxBands, maxHdus, maxDecompressedBytes, maxHeaderCards,
                maxMetadataEntries, alertStamp);
    }

    public DecodeLimits withMaxPixels(long pixels) {
        return new DecodeLimits(maxBytes, pixels, maxBands, maxHdus, maxDecompressedBytes, maxHeaderCards,
                maxMetadataEntries, alertStamp);
    }

    public DecodeLimits withMaxDecompressedBytes(long bytes) {
        return new DecodeLimits(maxBytes, maxPixels, maxBands, maxHdus, bytes, maxHeaderCards,
                maxMetadataEntries, alertStamp);
    }
}
