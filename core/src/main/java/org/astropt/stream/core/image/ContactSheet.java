package org.astropt.stream.core.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A grid of previews on one image, for docs and dashboards: tiles in reading order, each enlarged by an
 * integer factor with nearest-neighbour sampling so pixels (and their noise) stay visible.
 */
public final class ContactSheet {

    private ContactSheet() {}

    /**
     * @param tiles   previews, all the same size
     * @param columns tiles per row
     * @param zoom    integer enlargement, at least 1
     * @param gap     pixels of dark grey between tiles
     */
    public static BufferedImage of(List<BufferedImage> tiles, int columns, int zoom, int gap) {
        if (tiles.isEmpty() || columns < 1 || zoom < 1 || gap < 0) {
            throw new IllegalArgumentException("a contact sheet needs tiles, columns >= 1, zoom >= 1 and gap >= 0");
        }
        int tw = tiles.get(0).getWidth() * zoom, th = tiles.get(0).getHeight() * zoom;
        int rows = (tiles.size() + columns - 1) / columns;
        int cols = Math.min(columns, tiles.size());
        BufferedImage sheet = new BufferedImage(cols * tw + (cols + 1) * gap, rows * th + (rows + 1) * gap,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(new Color(40, 40, 40));
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            for (int i = 0; i < tiles.size(); i++) {
                int x = gap + (i % columns) * (tw + gap), y = gap + (i / columns) * (th + gap);
                g.drawImage(tiles.get(i), x, y, tw, th, null);
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }
}
