package org.astropt.stream.core.sim;

/**
 * PSF photometry measured on a synthetic alert's difference stamp at the alert position, in the stamp's
 * pixel unit (ZTF DN, Rubin nJy), as a survey's pipeline measures it: the packet's magpsf, sigmapsf,
 * isdiffpos, psfFlux and snr come from here, not from the truth.
 *
 * @param flux        PSF-fitted flux on the difference (negative when the source faded)
 * @param fluxErr     its 1-sigma error, from the difference stamp's robust noise
 * @param zeropoint   AB zero point of the unit
 * @param limitingMag 5-sigma point-source depth of the difference, AB
 * @param fwhmPx      PSF FWHM of the science exposure, pixels
 */
public record AlertPhotometry(double flux, double fluxErr, double zeropoint, double limitingMag, double fwhmPx) {

    /** AB magnitude of |flux| (ZTF's magpsf is the magnitude of the absolute difference flux). */
    public double magnitude() {
        return zeropoint - 2.5 * StrictMath.log10(Math.max(Math.abs(flux), fluxErr * 1e-3));
    }

    /** 1-sigma magnitude error: 2.5 / ln 10 * fluxErr / |flux|. */
    public double magnitudeError() {
        return 2.5 / Math.log(10) * fluxErr / Math.max(Math.abs(flux), fluxErr * 1e-3);
    }

    /** Whether the difference is positive there (ZTF's isdiffpos "t"). */
    public boolean positive() { return flux >= 0; }

    /** Signal to noise of the detection. */
    public double snr() { return flux / fluxErr; }
}
