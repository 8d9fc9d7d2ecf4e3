package org.astropt.stream.core.sim;

/** Writes a {@link SimulatedAlert} as the bytes of one survey alert message. */
public interface AlertPacketWriter {

    /** The survey whose alerts it writes: the simulator must draw that survey's stamps. */
    AlertSurvey survey();

    /** One alert, as the survey's broker publishes it. */
    byte[] packet(SimulatedAlert alert);
}
