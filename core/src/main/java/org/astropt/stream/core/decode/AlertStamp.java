package org.astropt.stream.core.decode;

/**
 * Which of an alert packet's three postage stamps becomes the cutout. ZTF and Rubin alerts both carry
 * {@code cutoutScience}, {@code cutoutTemplate} and {@code cutoutDifference}.
 */
public enum AlertStamp {
    /** The new exposure around the source: what the galaxy looks like tonight. */
    SCIENCE("cutoutScience"),
    /** The deep reference image the survey subtracts. */
    TEMPLATE("cutoutTemplate"),
    /** Science minus template: only what changed. */
    DIFFERENCE("cutoutDifference");

    private final String field;

    AlertStamp(String field) { this.field = field; }

    /** The alert schema's field name for this stamp. */
    public String field() { return field; }
}
