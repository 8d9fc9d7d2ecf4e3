package org.astropt.stream.core.sim;

/**
 * A strong lens: a singular isothermal sphere (the flat-rotation-curve mass of an elliptical) in an
 * external shear (the pull of its group), the simplest model that makes the arcs, counter-images and
 * Einstein rings seen around massive ellipticals. Lens equation, with theta the image-plane position
 * relative to the lens centre (pixels):
 * <pre>
 *   beta = theta - theta_E theta / |theta| - [[g1, g2], [g2, -g1]] theta
 * </pre>
 * Surface brightness is conserved along each ray, so the lensed image is the source's surface brightness
 * at beta(theta); its total over the source's own is the magnification.
 *
 * @param x, y       lens centre in cutout pixels
 * @param einsteinPx Einstein radius theta_E in pixels
 * @param shear1     external shear component along x (g1)
 * @param shear2     external shear component at 45 degrees (g2)
 */
record GravitationalLens(double x, double y, double einsteinPx, double shear1, double shear2) {

    /** Samples per pixel side: arcs are a pixel or two across radially. */
    static final int SUB = 6;
    /** A source is painted out to this many of its half-light radii (its profile's truncation). */
    static final double SOURCE_TRUNCATION = 4;

    /** Receives the lensed image pixel by pixel. */
    @FunctionalInterface
    interface PixelSink {
        /** Pixel (px, py) of the cutout grid (may lie outside the cutout) gets value times the source's flux. */
        void add(int px, int py, double value);
    }

    /**
     * The image of an elliptical Sersic source of unit flux, pixel-integrated, handed to sink pixel by pixel;
     * returns its total: the magnification (every image, also the light beyond the cutout's edge).
     */
    double image(Scene.Component source, PixelSink sink) {
        RadialProfile p = RadialProfile.sersic(source.sersicIndex(), source.halfLightPx(), SOURCE_TRUNCATION);
        double q = source.axisRatio();
        double amplitude = 1 / (q * p.integral());              // unit flux
        double pa = StrictMath.toRadians(source.positionAngleDeg());
        double ux = -StrictMath.sin(pa), uy = -StrictMath.cos(pa);  // major axis, as SceneRenderer
        double vx = -uy, vy = ux;
        double bx = source.x() - x, by = source.y() - y;
        double gamma = Math.hypot(shear1, shear2);
        // Every image lies within |beta| + theta_E of the centre, stretched by the shear at most by 1 / (1 - gamma).
        double reach = (Math.hypot(bx, by) + p.extent() + einsteinPx) / Math.max(0.5, 1 - gamma) + 2;
        int x0 = (int) Math.floor(x - reach), x1 = (int) Math.ceil(x + reach);
        int y0 = (int) Math.floor(y - reach), y1 = (int) Math.ceil(y + reach);
        double extent2 = p.extent() * p.extent();
        double total = 0;
        for (int py = y0; py <= y1; py++) {
            for (int px = x0; px <= x1; px++) {
                double sum = 0;
                for (int j = 0; j < SUB; j++) {
                    double ty = py - y + (j + 0.5) / SUB - 0.5;
                    for (int i = 0; i < SUB; i++) {
                        double tx = px - x + (i + 0.5) / SUB - 0.5;
                        double r = Math.sqrt(tx * tx + ty * ty);
                        if (r == 0) continue;
                        double sx = tx - einsteinPx * tx / r - (shear1 * tx + shear2 * ty) - bx;
                        double sy = ty - einsteinPx * ty / r - (shear2 * tx - shear1 * ty) - by;
                        if (sx * sx + sy * sy > extent2) continue;
                        double a = sx * ux + sy * uy, b = (sx * vx + sy * vy) / q;
                        sum += p.at(Math.sqrt(a * a + b * b));
                    }
                }
                if (sum > 0) {
                    double value = amplitude * sum / (SUB * SUB);
                    sink.add(px, py, value);
                    total += value;
                }
            }
        }
        return total;
    }
}
