package org.astropt.stream.core.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

import nom.tam.fits.BasicHDU;
import nom.tam.fits.Fits;
import nom.tam.fits.FitsException;
import nom.tam.util.FitsOutputStream;

/**
 * An alert stamp as the surveys ship it: one float32 image HDU with BUNIT, first FITS row at the bottom
 * (the display array flipped on the way out, as {@link SurveyWriter} does); ZTF gzips it.
 */
final class AlertStampFits {

    private AlertStampFits() {}

    /** The stamp ([y][x], row 0 at the top) as FITS bytes. */
    static byte[] fits(float[][] stamp, String unit) {
        int h = stamp.length;
        float[][] rows = new float[h][];
        for (int y = 0; y < h; y++) rows[h - 1 - y] = stamp[y].clone();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Fits fits = new Fits(); FitsOutputStream out = new FitsOutputStream(bytes)) {
            BasicHDU<?> hdu = Fits.makeHDU(rows);
            hdu.getHeader().addValue("BUNIT", unit, null);
            // nom-tam stamps SIMPLE with the date of class loading: fix it so equal stamps give equal bytes.
            hdu.getHeader().findCard("SIMPLE").setComment("conforms to FITS standard");
            fits.addHDU(hdu);
            fits.write(out);
            out.flush();
        } catch (FitsException | IOException e) {
            throw new IllegalStateException("cannot write an alert stamp as FITS: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** The same, gzipped (a zero modification time in the gzip header, so equal stamps give equal bytes). */
    static byte[] gzippedFits(float[][] stamp, String unit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(fits(stamp, unit));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
