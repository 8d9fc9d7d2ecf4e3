package org.astropt.stream.core.sim;

import org.astropt.stream.core.image.CutoutImage;

/** One synthetic cutout and what went into it. */
public record SyntheticGalaxy(CutoutImage image, GalaxyTruth truth) {

    public String id() {
        return truth.id();
    }
}
