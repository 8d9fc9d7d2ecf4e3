package org.astropt.stream.core.decode;

import java.io.ByteArrayInputStream;
import java.nio.Buffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nom.tam.image.compression.hdu.CompressedImageData;
import nom.tam.image.compression.hdu.CompressedImageHDU;
import nom.tam.util.FitsInputStream;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;

/**
 * FITS bytes (plain or gzip) to a {@link CutoutImage}: every image HDU with data becomes one band per
 * plane, in file order. Accepts a cube ({@code NAXIS3} = bands) or one 2-D HDU per band, in the primary
 * or in IMAGE extensions, and tile-compressed images (ZIMAGE binary tables: RICE_1, GZIP_1, GZIP_2,
 * HCOMPRESS_1, PLIO_1, via nom-tam-fits). Empty HDUs and tables are skipped.
 *
 * <p>Band names, per HDU: its FILTER card (first word, so DECam's {@code 'g DECam SDSS c0001 ...'} is
 * {@code g}), else BAND, else the same two cards of an empty or inherited (INHERIT = T) primary header,
 * else EXTNAME. FILTER comes before EXTNAME because survey files use EXTNAME for the detector (DECaLS:
 * {@code S4} in all three bands). The planes of a cube have no names of their own. When a name is
 * missing or repeats, all bands get the defaults: g, r, z for three bands, else b0, b1, ...
 */
final class FitsDecoder {

    /** EXTNAME values that name a container, not a band. */
    private static final Set<String> GENERIC_EXTNAMES = Set.of("COMPRESSED_IMAGE", "PRIMARY", "IMAGE", "SCI");

    private final DecodeLimits limits;
    /** False: every header through nom-tam-fits, as before {@link PlainFitsHeader} (tests compare the two). */
    private final boolean plainHeaders;

    FitsDecoder(DecodeLimits limits) { this(limits, true); }

    FitsDecoder(DecodeLimits limits, boolean plainHeaders) {
        this.limits = limits;
        this.plainHeaders = plainHeaders;
    }

    CutoutImage decode(byte[] bytes, String input) {
        boolean gzip = BoundedGzip.isGzip(bytes);
        byte[] fits = gzip ? BoundedGzip.gunzip(bytes, limits.maxDecompressedBytes(), input) : bytes;
        List<FitsLayout.Hdu> hdus = FitsLayout.read(fits, input, limits, plainHeaders);
        List<FitsLayout.Hdu> images = hdus.stream().filter(FitsLayout.Hdu::isImage).toList();
        if (images.isEmpty()) {
            throw new InvalidCutoutException(input, "FITS file has no image HDU with pixels (" + summary(hdus) + ")");
        }
        FitsLayout.Hdu first = images.get(0);
        List<float[][]> planes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, String> cards = new LinkedHashMap<>();
        FitsHeader primary = hdus.get(0).header();
        boolean primaryShared = hdus.get(0).kind() == FitsLayout.Kind.EMPTY;
        for (FitsLayout.Hdu hdu : images) {
            if (hdu.width() != first.width() || hdu.height() != first.height()) {
                throw new InvalidCutoutException(input, "FITS HDU " + hdu.index() + " is " + hdu.width() + " x "
                        + hdu.height() + " pixels but HDU " + first.index() + " is " + first.width() + " x "
                        + first.height() + "; all bands of a cutout must have one shape");
            }
            FitsHeader header = hdu.header();
            float[][][] hduPlanes;
            if (hdu.kind() == FitsLayout.Kind.COMPRESSED_IMAGE) {
                CompressedImageHDU compressed = readCompressed(fits, hdu, input);
                header = imageHeader(compressed, hdu, input);
                hduPlanes = FitsPixels.planes(uncompressed(compressed, hdu, input), hdu.width(), hdu.height(),
                        hdu.planes(), FitsPixels.Scaling.of(header, hdu.bitpix()));
            } else {
                hduPlanes = FitsPixels.planes(fits, hdu.dataOffset(), (int) hdu.dataBytes(), hdu.bitpix(), hdu.width(),
                        hdu.height(), hdu.planes(), FitsPixels.Scaling.of(header, hdu.bitpix()));
            }
            boolean inherits = primaryShared || header.booleanValue("INHERIT", false);
            String name = hdu.planes() == 1 ? bandName(header, inherits && hdu.index() > 0 ? primary : null) : null;
            for (float[][] plane : hduPlanes) {
                planes.add(plane);
                names.add(name);
            }
            header.copyMetadataCards(cards);
        }
        if (primaryShared) primary.copyMetadataCards(cards);
        Map<String, String> metadata = FitsCards.select(cards, limits.maxMetadataEntries());
        metadata.put("decode.format", gzip ? "FITS.gz" : "FITS");
        return new CutoutImage(planes.toArray(new float[0][][]), namesOrDefaults(names), metadata);
    }

    /** The default band names: g, r, z for three bands (the AstroPT v1 set), else b0, b1, ... */
    static List<String> defaultBands(int count) {
        if (count == 3) return List.of("g", "r", "z");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) names.add("b" + i);
        return names;
    }

    private static List<String> namesOrDefaults(List<String> names) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (n == null || !seen.add(n)) return defaultBands(names.size());
        }
        return names;
    }

    private static String bandName(FitsHeader own, FitsHeader inherited) {
        String name = firstWord(own.stringValue("FILTER"));
        if (name == null) name = firstWord(own.stringValue("BAND"));
        if (name == null && inherited != null) {
            name = firstWord(inherited.stringValue("FILTER"));
            if (name == null) name = firstWord(inherited.stringValue("BAND"));
        }
        if (name == null) {
            String ext = firstWord(own.stringValue("EXTNAME"));
            if (ext != null && !GENERIC_EXTNAMES.contains(ext.toUpperCase())) name = ext;
        }
        return name;
    }

    private static String firstWord(String value) {
        if (value == null || value.isBlank()) return null;
        return value.trim().split("\\s+")[0];
    }

    private static CompressedImageHDU readCompressed(byte[] fits, FitsLayout.Hdu hdu, String input) {
        // The table and heap lie inside fits (FitsLayout checked); nom-tam-fits also reads the padding,
        // so hand it a zero-padded copy when the file ends early.
        int padded = (int) FitsLayout.padded(hdu.dataBytes());
        byte[] region = java.util.Arrays.copyOfRange(fits, hdu.dataOffset(), hdu.dataOffset() + padded);
        try (FitsInputStream in = new FitsInputStream(new ByteArrayInputStream(region))) {
            CompressedImageData data = CompressedImageHDU.manufactureData(hdu.header().nomTam());
            data.read(in);
            return new CompressedImageHDU(hdu.header().nomTam(), data);
        } catch (Exception e) {
            throw new InvalidCutoutException(input, "FITS HDU " + hdu.index()
                    + " tile-compressed image cannot be read (" + OneLine.of(e) + ")");
        }
    }

    private static FitsHeader imageHeader(CompressedImageHDU compressed, FitsLayout.Hdu hdu, String input) {
        try {
            return FitsHeader.of(compressed.getImageHeader());
        } catch (Exception e) {
            throw new InvalidCutoutException(input, "FITS HDU " + hdu.index()
                    + " tile-compressed image header cannot be rebuilt (" + OneLine.of(e) + ")");
        }
    }

    private static Buffer uncompressed(CompressedImageHDU compressed, FitsLayout.Hdu hdu, String input) {
        Buffer values;
        try {
            values = compressed.getUncompressedData();
        } catch (Exception e) {
            throw new InvalidCutoutException(input, "FITS HDU " + hdu.index()
                    + " tile-compressed image cannot be decompressed (" + OneLine.of(e) + ")");
        }
        long expected = (long) hdu.planes() * hdu.width() * hdu.height();
        if (values == null || values.capacity() < expected) {
            throw new InvalidCutoutException(input, "FITS HDU " + hdu.index() + " tile-compressed image gave "
                    + (values == null ? 0 : values.capacity()) + " pixels, not the " + expected + " its header declares");
        }
        return values;
    }

    static String summary(List<FitsLayout.Hdu> hdus) {
        StringBuilder s = new StringBuilder();
        for (FitsLayout.Hdu h : hdus) {
            if (s.length() > 0) s.append("; ");
            s.append("HDU ").append(h.index()).append(' ').append(h.kind()).append(' ').append(h.shape());
        }
        return s.toString();
    }
}
