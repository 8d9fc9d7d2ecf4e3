package org.astropt.stream.core.model;

/**
 * nanoGPT's learning-rate schedule, which AstroPT trained with: a linear warm-up to the peak,
 * then a cosine decay to the floor at the last step, then the floor.
 *
 * @param peak        learning rate after warm-up (the preset's)
 * @param floor       learning rate at the end; AstroPT decays to peak / 10
 * @param warmupSteps steps of linear warm-up
 * @param decaySteps  step at which the cosine reaches the floor (usually the last step)
 */
public record LrSchedule(double peak, double floor, int warmupSteps, int decaySteps) {

    public LrSchedule {
        if (warmupSteps < 0 || decaySteps < warmupSteps) {
            throw new IllegalArgumentException("need 0 <= warm-up steps (" + warmupSteps + ") <= decay steps (" + decaySteps + ")");
        }
    }

    /** Peak lr, decaying to a tenth of it, as AstroPT. */
    public static LrSchedule of(double peak, int warmupSteps, int decaySteps) {
        return new LrSchedule(peak, peak / 10, warmupSteps, decaySteps);
    }

    /** The learning rate of step (from 0). */
    public double at(int step) {
        if (step < warmupSteps) return peak * (step + 1) / (warmupSteps + 1);
        if (step >= decaySteps) return floor;
        double progress = (double) (step - warmupSteps) / (decaySteps - warmupSteps);
        return floor + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - floor);
    }
}
