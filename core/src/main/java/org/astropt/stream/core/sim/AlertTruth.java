package org.astropt.stream.core.sim;

/**
 * What a synthetic alert ({@link AlertSimulator}) was made of: the truth a real/bogus trainer or an
 * evaluation reads from {@code truth.csv} ({@link AlertTruthCatalogue}), never from the packet.
 *
 * @param survey            the stream it imitates
 * @param seed              simulator seed; (survey, seed, index) alone fix every byte of the packet
 * @param index             the alert's index in the stream
 * @param sourceId          ZTF candid, or Rubin diaSourceId
 * @param objectId          ZTF objectId, or Rubin diaObjectId (as text)
 * @param kind              what made it
 * @param band              the band of its stamps
 * @param ra                right ascension of the alert position, degrees
 * @param dec               declination, degrees
 * @param time              ZTF jd, or Rubin midpointMjdTai
 * @param x                 alert position in the stamps, display pixels (x right, 0-based)
 * @param y                 alert position in the stamps, display pixels (y down from the top row)
 * @param transientMag      AB magnitude of what changed (a supernova, a nuclear flare, a variable star's
 *                          change of flux), NaN for a bogus alert
 * @param hostOffsetArcsec  distance from the alert to its host galaxy's centre; NaN without a host (a variable star)
 * @param seeingArcsec      PSF FWHM of the science exposure
 * @param details           what was drawn, as space-separated name=value pairs (no commas): e.g. a dipole's
 *                          {@code shift_px angle_deg star_mag}, a ghost's {@code r_outer_px r_inner_px}
 */
public record AlertTruth(
        AlertSurvey survey, long seed, long index, long sourceId, String objectId, AlertKind kind, String band,
        double ra, double dec, double time, double x, double y,
        double transientMag, double hostOffsetArcsec, double seeingArcsec, String details) {

    /** "real" or "bogus". */
    public String label() { return kind.label(); }

    /** The packet's file name: {@code <sourceId>.avro}, as ZTF names its alert files by candid. */
    public String fileName() { return sourceId + ".avro"; }
}
