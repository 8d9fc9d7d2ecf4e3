package org.astropt.stream.core.decode;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nom.tam.fits.Header;
import nom.tam.util.FitsInputStream;
import org.astropt.stream.core.InvalidCutoutException;

/**
 * The HDUs of an in-memory FITS file, found by reading headers only. Every size a header declares is
 * checked here against {@link DecodeLimits} and against the bytes actually present, before any pixel
 * array exists: so an absurd NAXIS, a truncated file or a header without END fails with one line.
 *
 * <p>Plain headers are read in place by {@link PlainFitsHeader}; tile-compressed images' headers, and any
 * header it declines, by nom-tam-fits. Where each header ends (the END card) and where its data lies
 * are computed here, with overflow-checked arithmetic, so a hostile header cannot make nom-tam-fits
 * allocate.
 */
final class FitsLayout {

    /** What an HDU holds, as far as cutouts care. */
    enum Kind { EMPTY, IMAGE, COMPRESSED_IMAGE, TABLE, OTHER }

    /**
     * One HDU. For a tile-compressed image, {@code bitpix} and {@code axes} are the image's (ZBITPIX,
     * ZNAXISn), while {@code dataOffset}/{@code dataBytes} locate the compressed table and its heap.
     *
     * @param axes NAXIS1..NAXISn in FITS order: axes[0] is the width, axes[1] the height, the rest planes
     */
    record Hdu(int index, Kind kind, FitsHeader header, int bitpix, long[] axes, int dataOffset, long dataBytes,
               String extname) {

        boolean isImage() { return kind == Kind.IMAGE || kind == Kind.COMPRESSED_IMAGE; }

        int width() { return (int) axes[0]; }

        int height() { return (int) axes[1]; }

        /** Planes stacked in NAXIS3..n: the bands of a cube (1 for a 2-D image), at most Integer.MAX_VALUE. */
        int planes() {
            long p = 1;
            for (int i = 2; i < axes.length && p <= Integer.MAX_VALUE; i++) p *= Math.min(axes[i], Integer.MAX_VALUE);
            return (int) Math.min(p, Integer.MAX_VALUE);
        }

        String shape() {
            StringBuilder s = new StringBuilder();
            for (long a : axes) s.append(s.length() == 0 ? "" : " x ").append(a);
            return s.length() == 0 ? "no data" : s.toString();
        }
    }

    static final int BLOCK = 2880;
    static final int CARD = 80;
    private static final byte[] SIMPLE = "SIMPLE  =".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] XTENSION = "XTENSION=".getBytes(StandardCharsets.US_ASCII);
    /** Table columns that carry compressed tiles, per the FITS tile-compression convention. */
    private static final java.util.Set<String> DATA_COLUMNS =
            java.util.Set.of("COMPRESSED_DATA", "GZIP_COMPRESSED_DATA", "UNCOMPRESSED_DATA");
    /** The FITS standard caps NAXIS at 999. */
    private static final int MAX_NAXIS = 999;

    private FitsLayout() {}

    /** Walks every HDU of {@code bytes}; trailing bytes that are not an XTENSION header are ignored. */
    static List<Hdu> read(byte[] bytes, String input, DecodeLimits limits) {
        return read(bytes, input, limits, true);
    }

    /**
     * As {@link #read(byte[], String, DecodeLimits)}; {@code plainHeaders} false parses every header with
     * nom-tam-fits, as before {@link PlainFitsHeader} (for the tests that compare the two).
     */
    static List<Hdu> read(byte[] bytes, String input, DecodeLimits limits, boolean plainHeaders) {
        if (!MagicBytes.startsWith(bytes, SIMPLE)) {
            throw new InvalidCutoutException(input, "not a FITS file (it does not start with a SIMPLE card)");
        }
        List<Hdu> hdus = new ArrayList<>();
        long bands = 0, inflated = 0;
        int offset = 0;
        while (offset < bytes.length && (offset == 0 || MagicBytes.startsWith(slice(bytes, offset), XTENSION))) {
            int index = hdus.size();
            if (index == limits.maxHdus()) {
                throw new InvalidCutoutException(input, "FITS file has more than " + limits.maxHdus()
                        + " HDUs (DecodeLimits.maxHdus)");
            }
            int headerCards = endCard(bytes, offset, index, input, limits) + 1;
            FitsHeader plain = plainHeaders ? PlainFitsHeader.read(bytes, offset, headerCards - 1) : null;
            FitsHeader header = plain != null ? plain : FitsHeader.of(parseHeader(bytes, offset, headerCards, index, input));
            int dataOffset = (int) Math.min(bytes.length, offset + padded((long) headerCards * CARD));
            Hdu hdu = describe(header, index, dataOffset, input);
            if (plain != null && hdu.kind() == Kind.COMPRESSED_IMAGE) { // nom-tam-fits decompresses: give it its header
                hdu = describe(FitsHeader.of(parseHeader(bytes, offset, headerCards, index, input)), index, dataOffset, input);
            }
            if (hdu.isImage()) {
                checkImage(hdu, input, limits);
                if (hdu.kind() == Kind.COMPRESSED_IMAGE) checkTiles(hdu, input);
                bands += hdu.planes();
                if (bands > limits.maxBands()) {
                    throw new InvalidCutoutException(input, "FITS file holds more than " + limits.maxBands()
                            + " bands (DecodeLimits.maxBands)");
                }
                if (hdu.kind() == Kind.COMPRESSED_IMAGE) {
                    inflated += (long) hdu.planes() * hdu.width() * hdu.height() * (Math.abs(hdu.bitpix()) / 8);
                    if (inflated > limits.maxDecompressedBytes()) {
                        throw new InvalidCutoutException(input, "FITS HDU " + index + " tile-compressed image"
                                + " inflates to more than " + limits.maxDecompressedBytes()
                                + " bytes (DecodeLimits.maxDecompressedBytes)");
                    }
                }
            }
            long remaining = bytes.length - (long) dataOffset;
            if (hdu.dataBytes() > remaining) {
                throw new InvalidCutoutException(input, "FITS HDU " + index + " declares " + hdu.dataBytes()
                        + " bytes of data but only " + remaining + " remain (truncated file)");
            }
            hdus.add(hdu);
            offset = (int) Math.min(bytes.length, dataOffset + padded(hdu.dataBytes()));
        }
        return hdus;
    }

    /** Index of the END card of the header starting at {@code offset}, searched card by card. */
    private static int endCard(byte[] bytes, int offset, int index, String input, DecodeLimits limits) {
        for (int card = 0; card < limits.maxHeaderCards(); card++) {
            int at = offset + card * CARD;
            if (at + CARD > bytes.length) {
                throw new InvalidCutoutException(input, "FITS HDU " + index
                        + " header is truncated (the file ends before its END card)");
            }
            if (bytes[at] == 'E' && bytes[at + 1] == 'N' && bytes[at + 2] == 'D' && blank(bytes, at + 3, at + 8)) {
                return card;
            }
        }
        throw new InvalidCutoutException(input, "FITS HDU " + index + " header has no END card within "
                + limits.maxHeaderCards() + " cards (DecodeLimits.maxHeaderCards)");
    }

    private static Header parseHeader(byte[] bytes, int offset, int cards, int index, String input) {
        // nom-tam-fits sees exactly this header's cards plus its padding, never the data.
        int length = (int) Math.min(bytes.length - (long) offset, padded((long) cards * CARD));
        byte[] block = Arrays.copyOfRange(bytes, offset, offset + (int) padded((long) cards * CARD));
        if (length < block.length) Arrays.fill(block, length, block.length, (byte) ' ');
        try (FitsInputStream in = new FitsInputStream(new ByteArrayInputStream(block))) {
            return Header.readHeader(in);
        } catch (Exception e) {
            throw new InvalidCutoutException(input, "FITS HDU " + index + " header cannot be parsed ("
                    + OneLine.of(e) + ")");
        }
    }

    private static Hdu describe(FitsHeader h, int index, int dataOffset, String input) {
        int bitpix = bitpix(h.intValue("BITPIX", 0), "BITPIX", index, input);
        long[] axes = axes(h, "NAXIS", index, input);
        String xtension = index == 0 ? "PRIMARY" : orEmpty(h.stringValue("XTENSION")).trim().toUpperCase();
        String extname = orEmpty(h.stringValue("EXTNAME"));
        long dataBytes = dataBytes(h, bitpix, axes);
        boolean groups = index == 0 && h.booleanValue("GROUPS", false);
        if (axes.length == 0) {
            return new Hdu(index, Kind.EMPTY, h, bitpix, axes, dataOffset, dataBytes, extname.trim());
        }
        Kind kind;
        long[] imageAxes = axes;
        int imageBitpix = bitpix;
        if (groups) {
            kind = Kind.OTHER;
        } else if (xtension.equals("PRIMARY") || xtension.equals("IMAGE")) {
            kind = axes.length >= 2 ? Kind.IMAGE : Kind.OTHER;
            if (kind == Kind.IMAGE) requirePositive(axes, "NAXIS", index, input);
        } else if (xtension.equals("BINTABLE") && h.booleanValue("ZIMAGE", false)) {
            requirePositive(axes, "NAXIS", index, input);
            imageBitpix = bitpix(h.intValue("ZBITPIX", 0), "ZBITPIX", index, input);
            imageAxes = axes(h, "ZNAXIS", index, input);
            kind = imageAxes.length >= 2 ? Kind.COMPRESSED_IMAGE : Kind.OTHER;
            if (kind == Kind.COMPRESSED_IMAGE) requirePositive(imageAxes, "ZNAXIS", index, input);
        } else {
            kind = xtension.equals("BINTABLE") || xtension.equals("TABLE") ? Kind.TABLE : Kind.OTHER;
        }
        return new Hdu(index, kind, h, imageBitpix, imageAxes, dataOffset, dataBytes, extname.trim());
    }

    /**
     * Tile sizes: ZTILEn from 1 up, a tile larger than the image shrunk to the image (nom-tam-fits loops
     * forever on tile sizes near 2^31), and one table row per tile, as the standard requires.
     */
    private static void checkTiles(Hdu hdu, String input) {
        Header h = hdu.header().nomTam();
        long[] imageAxes = hdu.axes();
        long rows = h.getLongValue("NAXIS2", 0);
        int index = hdu.index();
        boolean hasData = false;
        for (int c = 1, n = h.getIntValue("TFIELDS", 0); c <= n && c <= MAX_NAXIS; c++) {
            hasData |= DATA_COLUMNS.contains(h.getStringValue("TTYPE" + c, "").trim());
        }
        if (!hasData) { // nom-tam-fits would log the missing column and return an image of zeros
            throw new InvalidCutoutException(input, "FITS HDU " + index + " tile-compressed image has no"
                    + " COMPRESSED_DATA column (corrupt table header)");
        }
        long tiles = 1;
        for (int i = 0; i < imageAxes.length; i++) {
            String key = "ZTILE" + (i + 1);
            long tile = h.getLongValue(key, i == 0 ? imageAxes[0] : 1);
            if (tile <= 0) {
                throw new InvalidCutoutException(input, "FITS HDU " + index + " has " + key + " = " + tile
                        + "; a compression tile needs at least one pixel along each axis");
            }
            if (tile > imageAxes[i]) {
                tile = imageAxes[i];
                h.addValue(key, (int) tile, "shrunk to the image size on reading");
            }
            tiles = Math.multiplyExact(tiles, (imageAxes[i] + tile - 1) / tile);
        }
        if (tiles != rows) {
            throw new InvalidCutoutException(input, "FITS HDU " + index + " tile-compressed image needs " + tiles
                    + " tiles but its table has " + rows + " rows (corrupt ZTILE or NAXIS2)");
        }
    }

    private static void checkImage(Hdu hdu, String input, DecodeLimits limits) {
        long w = hdu.axes()[0], h = hdu.axes()[1];
        boolean fits = w <= Integer.MAX_VALUE && h <= Integer.MAX_VALUE && w * h <= limits.maxPixels(); // < 2^62
        if (!fits) {
            throw new InvalidCutoutException(input, "FITS HDU " + hdu.index() + " declares " + w + " x " + h
                    + " pixels, over the limit of " + limits.maxPixels() + " per band (DecodeLimits.maxPixels)");
        }
        for (int i = 2; i < hdu.axes().length; i++) {
            if (hdu.axes()[i] > limits.maxBands()) {
                throw new InvalidCutoutException(input, "FITS HDU " + hdu.index() + " declares " + hdu.axes()[i]
                        + " planes in axis " + (i + 1) + ", over the limit of " + limits.maxBands()
                        + " bands (DecodeLimits.maxBands)");
            }
        }
        if (hdu.planes() > limits.maxBands()) {
            throw new InvalidCutoutException(input, "FITS HDU " + hdu.index() + " stacks more planes in NAXIS3..NAXIS"
                    + hdu.axes().length + " than the limit of " + limits.maxBands() + " bands (DecodeLimits.maxBands)");
        }
    }

    private static int bitpix(int bitpix, String key, int index, String input) {
        return switch (bitpix) {
            case 8, 16, 32, 64, -32, -64 -> bitpix;
            default -> throw new InvalidCutoutException(input, "FITS HDU " + index + " has " + key + " = " + bitpix
                    + ", not one of the FITS pixel types 8, 16, 32, 64, -32, -64");
        };
    }

    private static long[] axes(FitsHeader h, String key, int index, String input) {
        long n = h.longValue(key, -1);
        if (n < 0 || n > MAX_NAXIS) {
            throw new InvalidCutoutException(input, "FITS HDU " + index + " has " + key + " = "
                    + (h.containsKey(key) ? String.valueOf(n) : "(missing)") + ", not a number of axes from 0 to "
                    + MAX_NAXIS);
        }
        long[] axes = new long[(int) n];
        for (int i = 0; i < n; i++) {
            axes[i] = h.longValue(key + (i + 1), -1);
            if (axes[i] < 0) {
                throw new InvalidCutoutException(input, "FITS HDU " + index + " has no valid " + key + (i + 1)
                        + " card (an axis length must be a whole number of 0 or more)");
            }
        }
        return axes;
    }

    private static void requirePositive(long[] axes, String key, int index, String input) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] == 0) {
                throw new InvalidCutoutException(input, "FITS HDU " + index + " declares a zero-length axis ("
                        + key + (i + 1) + " = 0), so it holds no pixels");
            }
        }
    }

    /** |BITPIX|/8 x GCOUNT x (PCOUNT + NAXIS1 x ... x NAXISn), saturating at Long.MAX_VALUE. */
    private static long dataBytes(FitsHeader h, int bitpix, long[] axes) {
        if (axes.length == 0) return 0;
        boolean groups = h.booleanValue("GROUPS", false) && axes[0] == 0;
        long pcount = Math.max(0, h.longValue("PCOUNT", 0));
        long gcount = Math.max(1, h.longValue("GCOUNT", 1));
        try {
            long elements = Math.addExact(pcount, product(axes, groups ? 1 : 0));
            return Math.multiplyExact(Math.multiplyExact(elements, gcount), Math.abs(bitpix) / 8);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    private static long product(long[] axes, int from) {
        long p = 1;
        for (int i = from; i < axes.length; i++) p = Math.multiplyExact(p, axes[i]);
        return p;
    }

    static long padded(long bytes) {
        if (bytes > Long.MAX_VALUE - BLOCK) return bytes;
        return (bytes + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != ' ') return false;
        return true;
    }

    private static String orEmpty(String s) { return s == null ? "" : s; }

    private static byte[] slice(byte[] bytes, int offset) {
        return Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + XTENSION.length));
    }
}
