package org.astropt.stream.core.decode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.ImageFormat;

/**
 * Bytes to a {@link CutoutImage} ({@code [band][y][x]} floats, row 0 at the TOP, plus metadata): the one
 * entry point every module decodes through. FITS (plain, gzip, cube or HDU per band, tile-compressed),
 * PNG, JPEG, raw float32 planes, and ZTF or Rubin alert packets; {@link ImageFormat#AUTO} tells them
 * apart by their first bytes.
 *
 * <p>Every bad input, hostile or broken, ends in an {@link InvalidCutoutException} whose message is one
 * line naming the input and the problem; sizes are checked against {@link DecodeLimits} before anything
 * is allocated. Thread-safe: it holds only immutable settings.
 *
 * <pre>{@code
 * CutoutImage grz = new CutoutDecoder(DecodeLimits.defaults()).decodeBands(List.of(g, r, z));
 * }</pre>
 */
public final class CutoutDecoder {

    private final DecodeLimits limits;
    private final FitsDecoder fits;
    private final ImageDecoder images;
    private final AlertDecoder alerts;
    private final AlertTripletDecoder triplets;

    public CutoutDecoder() { this(DecodeLimits.defaults()); }

    public CutoutDecoder(DecodeLimits limits) { this(limits, AlertSchemas.none()); }

    /** {@code schemas} resolves the writer schemas of Confluent-framed (Rubin) alerts. */
    public CutoutDecoder(DecodeLimits limits, AlertSchemas schemas) {
        this.limits = limits;
        this.fits = new FitsDecoder(limits);
        this.images = new ImageDecoder(limits);
        this.alerts = new AlertDecoder(limits, schemas, fits);
        this.triplets = new AlertTripletDecoder(limits, alerts, fits);
    }

    public DecodeLimits limits() { return limits; }

    AlertDecoder alerts() { return alerts; }

    /**
     * Decodes {@code bytes}.
     *
     * @param inputName names the input in error messages (a file name, an object id)
     * @param format    how the bytes are encoded; null or AUTO sniffs the magic bytes
     * @param width     plane width, required for RAW_FLOAT32 only
     * @param height    plane height, required for RAW_FLOAT32 only
     */
    public CutoutImage decode(byte[] bytes, String inputName, ImageFormat format, Integer width, Integer height) {
        String input = inputName == null || inputName.isBlank() ? "cutout" : inputName;
        if (bytes == null || bytes.length == 0) throw new InvalidCutoutException(input, "input is empty (0 bytes)");
        if (bytes.length > limits.maxBytes()) {
            throw new InvalidCutoutException(input, "input is " + bytes.length + " bytes, over the limit of "
                    + limits.maxBytes() + " (DecodeLimits.maxBytes)");
        }
        ImageFormat f = format == null ? ImageFormat.AUTO : format;
        try {
            return switch (f) {
                case FITS -> fits.decode(bytes, input);
                case PNG -> images.decode(bytes, input, "PNG");
                case JPEG -> images.decode(bytes, input, "JPEG");
                case RAW_FLOAT32 -> RawPlanes.decode(bytes, input, width, height, limits);
                case ZTF_ALERT, RUBIN_ALERT -> alerts.decode(bytes, input);
                case AUTO -> sniffed(bytes, input, width, height, true);
            };
        } catch (InvalidCutoutException e) {
            throw e;
        } catch (RuntimeException e) {
            // A library failing on input nobody anticipated: still one line for the user, the cause for the log.
            throw new InvalidCutoutException(input, "cannot be decoded as " + f + " (" + OneLine.of(e) + ")", e);
        }
    }

    /**
     * An alert packet (ZTF Avro container or Confluent-framed Rubin Avro) as the {@code alert-triplet} layout:
     * science, template and difference stamps as three channels ({@link AlertTripletDecoder}), the alert's
     * common fields ({@link AlertFields}: candid, objectId, ra, dec, jd or mjd, band, magpsf, isdiffpos, rb,
     * drb or reliability) in the metadata. Errors are one line naming {@code inputName}.
     */
    public CutoutImage decodeAlertTriplet(byte[] bytes, String inputName) {
        String input = inputName == null || inputName.isBlank() ? "alert" : inputName;
        if (bytes == null || bytes.length == 0) throw new InvalidCutoutException(input, "input is empty (0 bytes)");
        if (bytes.length > limits.maxBytes()) {
            throw new InvalidCutoutException(input, "input is " + bytes.length + " bytes, over the limit of "
                    + limits.maxBytes() + " (DecodeLimits.maxBytes)");
        }
        try {
            return triplets.decode(bytes, input);
        } catch (InvalidCutoutException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidCutoutException(input, "cannot be decoded as an alert triplet (" + OneLine.of(e) + ")", e);
        }
    }

    /**
     * The common fields ({@link AlertFields}: candid, objectId, ra, dec, ...) of an alert packet, its stamps not
     * decoded; empty when the bytes are not an alert packet (neither an Avro container nor Confluent-framed)
     * or cannot be read as one.
     */
    public Map<String, String> alertFields(byte[] bytes, String inputName) {
        MagicBytes magic = MagicBytes.of(bytes);
        if (magic != MagicBytes.AVRO_CONTAINER && magic != MagicBytes.CONFLUENT) return Map.of();
        try {
            return AlertFields.of(alerts.read(bytes, inputName == null ? "alert" : inputName));
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /** Decodes a file, sniffing its format; the file name names it in errors. */
    public CutoutImage decode(Path file) {
        String input = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        return decode(read(file, input), input, ImageFormat.AUTO, null, null);
    }

    /**
     * Decodes a record from the cutouts topic with its own format, width and height. A non-empty
     * {@code bands} list renames the decoded bands (its length must match); the record's metadata is
     * laid over the image's.
     */
    public CutoutImage decode(Cutout record) {
        byte[] bytes = bytesOf(record.getImage());
        CutoutImage decoded = decode(bytes, record.getId(), record.getFormat(), record.getWidth(), record.getHeight());
        List<String> bands = decoded.bands();
        if (record.getBands() != null && !record.getBands().isEmpty()) {
            if (record.getBands().size() != decoded.bandCount()) {
                throw new InvalidCutoutException(record.getId(), "record lists " + record.getBands().size()
                        + " bands " + record.getBands() + " but its image holds " + decoded.bandCount());
            }
            bands = record.getBands();
        }
        Map<String, String> metadata = new LinkedHashMap<>(decoded.metadata());
        if (record.getMetadata() != null) metadata.putAll(record.getMetadata());
        return new CutoutImage(decoded.pixels(), bands, metadata);
    }

    /**
     * The image bytes of a record without copying them when the buffer is a whole heap array, as Avro's
     * reader makes it (the decoders only read their input); a copy otherwise.
     */
    static byte[] bytesOf(ByteBuffer image) {
        if (image == null) return new byte[0];
        if (image.hasArray() && !image.isReadOnly() && image.arrayOffset() == 0 && image.position() == 0
                && image.remaining() == image.array().length) {
            return image.array();
        }
        byte[] bytes = new byte[image.remaining()];
        image.duplicate().get(bytes);
        return bytes;
    }

    /**
     * Decodes one file per band (e.g. DECaLS g, r, z crops) and stacks them in list order. Files whose
     * shapes differ by at most {@link #BAND_SHAPE_SLACK} pixels are centre-cropped to the common shape
     * first (recorded in {@code decode.crop}); larger differences are an error.
     */
    public CutoutImage decodeBands(List<Path> files) {
        List<CutoutImage> bands = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            bands.add(decode(file));
            names.add(String.valueOf(file.getFileName()));
        }
        int wSpread = spread(bands, CutoutImage::width), hSpread = spread(bands, CutoutImage::height);
        if (wSpread <= BAND_SHAPE_SLACK && hSpread <= BAND_SHAPE_SLACK) bands = cropToCommonShape(bands);
        return combineBands(bands, String.join(" + ", names));
    }

    /**
     * Largest difference in pixels between single-band files of one object that {@link #decodeBands}
     * crops away: CCD crops cut around one position differ by a pixel or two of rounding (the DECaLS
     * sample's g and r are 101 x 100, its z 100 x 100); more than this means different fields.
     */
    public static final int BAND_SHAPE_SLACK = 4;

    private static int spread(List<CutoutImage> images, java.util.function.ToIntFunction<CutoutImage> size) {
        return images.stream().mapToInt(size).max().orElse(0) - images.stream().mapToInt(size).min().orElse(0);
    }

    /**
     * Stacks cutouts of one shape into one, bands in list order (three single-band crops g, r, z become
     * one grz cutout). Metadata equal in all inputs is kept as is; metadata that differs is kept per
     * input as {@code <band>:<key>} (g:EXPTIME, r:EXPTIME, ...).
     */
    public static CutoutImage combineBands(List<CutoutImage> images) {
        return combineBands(images, "band list");
    }

    static CutoutImage combineBands(List<CutoutImage> images, String input) {
        if (images == null || images.isEmpty()) throw new InvalidCutoutException(input, "no bands to combine");
        CutoutImage first = images.get(0);
        List<float[][]> planes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < images.size(); i++) {
            CutoutImage image = images.get(i);
            if (image.width() != first.width() || image.height() != first.height()) {
                throw new InvalidCutoutException(input, "band input " + (i + 1) + " is " + image.width() + " x "
                        + image.height() + " pixels but input 1 is " + first.width() + " x " + first.height()
                        + "; bands combine only when all have one shape");
            }
            for (int b = 0; b < image.bandCount(); b++) {
                String name = image.bands().get(b);
                if (!seen.add(name)) {
                    throw new InvalidCutoutException(input, "band " + name + " appears in more than one input;"
                            + " each band of a cutout needs its own name");
                }
                planes.add(image.pixels()[b]);
                names.add(name);
            }
        }
        return new CutoutImage(planes.toArray(new float[0][][]), names, mergedMetadata(images));
    }

    /**
     * Centre-crops every cutout to the smallest width and height among them, so single-band files of
     * one object that differ by a pixel or two (the DECaLS sample's g and r crops are 101 x 100, its z
     * crop 100 x 100) can be combined. Each cropped cutout records {@code decode.crop}.
     */
    public static List<CutoutImage> cropToCommonShape(List<CutoutImage> images) {
        int w = images.stream().mapToInt(CutoutImage::width).min().orElse(0);
        int h = images.stream().mapToInt(CutoutImage::height).min().orElse(0);
        List<CutoutImage> out = new ArrayList<>();
        for (CutoutImage image : images) {
            if (image.width() == w && image.height() == h) {
                out.add(image);
                continue;
            }
            int x0 = (image.width() - w) / 2, y0 = (image.height() - h) / 2;
            float[][][] pixels = new float[image.bandCount()][h][w];
            for (int b = 0; b < pixels.length; b++) {
                for (int y = 0; y < h; y++) System.arraycopy(image.pixels()[b][y0 + y], x0, pixels[b][y], 0, w);
            }
            Map<String, String> metadata = new LinkedHashMap<>(image.metadata());
            metadata.put("decode.crop", image.width() + "x" + image.height() + " centre-cropped to " + w + "x" + h);
            out.add(new CutoutImage(pixels, image.bands(), metadata));
        }
        return out;
    }

    private static Map<String, String> mergedMetadata(List<CutoutImage> images) {
        Map<String, String> out = new LinkedHashMap<>();
        for (CutoutImage image : images) {
            for (Map.Entry<String, String> e : image.metadata().entrySet()) {
                boolean same = images.stream().allMatch(o -> e.getValue().equals(o.metadata().get(e.getKey())));
                out.put(same ? e.getKey() : image.bands().get(0) + ":" + e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private CutoutImage sniffed(byte[] bytes, String input, Integer width, Integer height, boolean outer) {
        return switch (MagicBytes.of(bytes)) {
            case FITS -> fits.decode(bytes, input);
            case GZIP -> {
                if (!outer) throw new InvalidCutoutException(input, "gzip inside gzip is not a cutout format");
                byte[] inner = BoundedGzip.gunzip(bytes, limits.maxDecompressedBytes(), input);
                if (MagicBytes.of(inner) == MagicBytes.FITS) {
                    CutoutImage image = fits.decode(inner, input);
                    Map<String, String> metadata = new LinkedHashMap<>(image.metadata());
                    metadata.put("decode.format", "FITS.gz");
                    yield new CutoutImage(image.pixels(), image.bands(), metadata);
                }
                yield sniffed(inner, input, width, height, false);
            }
            case PNG -> images.decode(bytes, input, "PNG");
            case JPEG -> images.decode(bytes, input, "JPEG");
            case AVRO_CONTAINER, CONFLUENT -> alerts.decode(bytes, input);
            case UNKNOWN -> throw new InvalidCutoutException(input, "format not recognised: the first bytes are not"
                    + " FITS, gzip, PNG, JPEG, an Avro container or Confluent-framed Avro (raw float32 planes need"
                    + " format RAW_FLOAT32 with width and height)");
        };
    }

    private byte[] read(Path file, String input) {
        try {
            long size = Files.size(file);
            if (size > limits.maxBytes()) {
                throw new InvalidCutoutException(input, "file is " + size + " bytes, over the limit of "
                        + limits.maxBytes() + " (DecodeLimits.maxBytes)");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidCutoutException(input, "cannot be read (" + e.getClass().getSimpleName() + ": "
                    + OneLine.of(e) + ")");
        }
    }
}
