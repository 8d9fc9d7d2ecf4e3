package org.astropt.stream.core.sim;

/**
 * One synthetic alert's science, template and difference stamps ([y][x], display orientation: row 0 at
 * the top, as every decoder here returns them), in the survey's pixel unit, with its measured photometry
 * and its truth.
 */
public record SimulatedAlert(AlertTruth truth, AlertPhotometry photometry,
                             float[][] science, float[][] template, float[][] difference) {}
