package org.astropt.stream.server;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.astropt.stream.core.image.AsinhRgb;
import org.astropt.stream.core.image.CutoutImage;

/**
 * Small asinh RGB previews of the newest cutouts, as PNG bytes, at most {@code capacity} of them (least
 * recently used leave first): Embedding records carry no pixels, so the server renders each cutout once
 * as it arrives and keeps only this. Thread-safe.
 */
public final class Thumbnails {

    /** Longest side of a thumbnail: a 64 px synthetic cutout stays as it is, a 256 px DECaLS crop shrinks 2x. */
    static final int MAX_SIDE = 128;

    private final Map<String, byte[]> pngs;

    public Thumbnails(int capacity) {
        this.pngs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized void put(String id, byte[] png) { pngs.put(id, png); }

    /** The PNG, or null when the cutout was never seen or has left the cache. */
    public synchronized byte[] get(String id) { return pngs.get(id); }

    public synchronized boolean contains(String id) { return pngs.containsKey(id); }

    public synchronized int size() { return pngs.size(); }

    /**
     * The preview of a decoded cutout: the Legacy Survey viewer's stretch for images in nanomaggies (the
     * synthetic survey, DECaLS coadds), a noise-scaled stretch for other survey images, and the pixel
     * values as they are for PNG/JPEG composites (already an 8- or 16-bit display image).
     */
    public static byte[] render(CutoutImage image) {
        String format = image.metadata().getOrDefault("decode.format", "");
        BufferedImage rgb;
        if (format.startsWith("PNG") || format.startsWith("JPEG")) rgb = display(image);
        else if (nanomaggies(image)) rgb = AsinhRgb.legacySurvey().render(image);
        else rgb = AsinhRgb.noiseScaled(image).render(image);
        return png(shrink(rgb));
    }

    private static boolean nanomaggies(CutoutImage image) {
        return image.metadata().getOrDefault("BUNIT", "").toLowerCase(Locale.ROOT).startsWith("nanomag");
    }

    /** PNG/JPEG composites decode as bands z, r, g = R, G, B samples (0..255 or 0..65535): drawn unchanged. */
    private static BufferedImage display(CutoutImage image) {
        int w = image.width(), h = image.height();
        float[][][] p = image.pixels();
        float max = 0;
        for (float[][] band : p) for (float[] row : band) for (float v : row) if (v > max) max = v;
        float full = max > 255 ? 65535f : 255f;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    float v = p[Math.min(c, p.length - 1)][y][x];
                    int level = Float.isNaN(v) ? 0 : Math.max(0, Math.min(255, Math.round(255 * v / full)));
                    rgb = (rgb << 8) | level;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    private static BufferedImage shrink(BufferedImage img) {
        int side = Math.max(img.getWidth(), img.getHeight());
        if (side <= MAX_SIDE) return img;
        int w = Math.max(1, img.getWidth() * MAX_SIDE / side), h = Math.max(1, img.getHeight() * MAX_SIDE / side);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(img, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static byte[] png(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
