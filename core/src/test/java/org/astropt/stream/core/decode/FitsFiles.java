package org.astropt.stream.core.decode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import nom.tam.fits.BasicHDU;
import nom.tam.fits.Fits;
import nom.tam.fits.FitsException;
import nom.tam.fits.ImageHDU;
import nom.tam.util.FitsOutputStream;

/** FITS files written by nom-tam-fits for the tests, plus hand-made headers for hostile ones. */
final class FitsFiles {

    private FitsFiles() {}

    /** The HDUs in order, the first becoming the primary. */
    static byte[] write(BasicHDU<?>... hdus) {
        try (Fits fits = new Fits()) {
            for (BasicHDU<?> hdu : hdus) fits.addHDU(hdu);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (FitsOutputStream out = new FitsOutputStream(bytes)) {
                fits.write(out);
            }
            return bytes.toByteArray();
        } catch (IOException | FitsException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An image HDU of a Java array in FITS order ({@code array[row][x]}, row 0 at the BOTTOM). */
    static ImageHDU image(Object array) {
        try {
            return (ImageHDU) Fits.makeHDU(array);
        } catch (FitsException e) {
            throw new IllegalStateException(e);
        }
    }

    static ImageHDU card(ImageHDU hdu, String key, Object value) {
        try {
            if (value instanceof String s) hdu.getHeader().addValue(key, s, null);
            else if (value instanceof Boolean b) hdu.getHeader().addValue(key, b, null);
            else hdu.getHeader().addValue(key, (Number) value, null);
            return hdu;
        } catch (FitsException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A FITS file from raw header cards ("KEY = value", padded to 80 columns), END, padding, and then
     * {@code dataBytes} zero bytes: for headers nom-tam-fits would refuse to write.
     */
    static byte[] handMade(int dataBytes, String... cards) {
        StringBuilder h = new StringBuilder();
        for (String c : cards) h.append(String.format("%-80s", c));
        h.append(String.format("%-80s", "END"));
        while (h.length() % 2880 != 0) h.append(' ');
        byte[] header = h.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] file = new byte[header.length + dataBytes];
        System.arraycopy(header, 0, file, 0, header.length);
        return file;
    }

    /** {@code fits} with the first card whose keyword is {@code key} replaced by {@code card}. */
    static byte[] replaceCard(byte[] fits, String key, String card) {
        String text = new String(fits, StandardCharsets.ISO_8859_1);
        for (int at = 0; at + 80 <= text.length(); at += 80) {
            if (text.startsWith(String.format("%-8s=", key), at)) {
                byte[] out = fits.clone();
                System.arraycopy(String.format("%-80s", card).getBytes(StandardCharsets.US_ASCII), 0, out, at, 80);
                return out;
            }
        }
        throw new IllegalArgumentException("no " + key + " card");
    }

    /** "KEY     = value" with the value right-aligned to column 30, as FITS writes numbers. */
    static String num(String key, long value) {
        return String.format("%-8s= %20d", key, value);
    }
}
