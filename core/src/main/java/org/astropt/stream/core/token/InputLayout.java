package org.astropt.stream.core.token;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the channels of a token sequence are, so a model reads only the kind of image it learnt from.
 * A model declares its layout in {@code config.json} ({@code input_layout}); every TokenSequence carries
 * the layout it was made with (docs/PIPELINE.md, "Inputs and formats").
 */
public enum InputLayout {
    /** A survey cutout, one channel per band (g, r, z for AstroPT v1): what the pipeline has always made. */
    GRZ_CUTOUT("grz-cutout"),
    /**
     * An alert's three postage stamps as three channels: science, template, difference (the difference
     * sign-flipped when the alert says the detection is negative), as real/bogus classifiers read them.
     */
    ALERT_TRIPLET("alert-triplet");

    private final String id;

    InputLayout(String id) { this.id = id; }

    /** The name in config.json, settings and TokenSequence.layout. */
    public String id() { return id; }

    /** The layout of this name; null or blank is {@link #GRZ_CUTOUT} (records and configs written before layouts). */
    public static InputLayout of(String name) {
        if (name == null || name.isBlank()) return GRZ_CUTOUT;
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (InputLayout l : values()) if (l.id.equals(n)) return l;
        throw new IllegalArgumentException("unknown input layout '" + name + "'; known: "
                + Arrays.stream(values()).map(InputLayout::id).toList());
    }

    @Override
    public String toString() { return id; }
}
