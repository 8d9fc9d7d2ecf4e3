package org.astropt.stream.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.astropt.stream.core.sim.AlertFolderWriter;
import org.astropt.stream.core.sim.AlertKind;
import org.astropt.stream.core.sim.AlertPacketWriter;
import org.astropt.stream.core.sim.AlertSimulator;
import org.astropt.stream.core.sim.AlertSurvey;
import org.astropt.stream.core.sim.RubinPacketWriter;
import org.astropt.stream.core.sim.ZtfPacketWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code astropt simulate-alerts --survey ztf|rubin --count N --seed S --out DIR}: a seeded synthetic alert
 * stream with labelled real and bogus alerts (docs/ALERTS.md). Writes DIR/&lt;candid or diaSourceId&gt;.avro,
 * one packet per file as the survey publishes it (ZTF: an Avro container file; Rubin: Confluent-framed
 * Avro), DIR/truth.csv and, for Rubin, DIR/schemas/&lt;id&gt;.avsc. The alert schema is read from a real sample
 * packet (the project ships no copy): by default the one in ../shared/data/real.
 */
@Command(name = "simulate-alerts",
        description = "Write a seeded synthetic ZTF or Rubin alert stream: one .avro packet per alert, truth.csv (kind, real or bogus).")
final class SimulateAlertsCommand implements Callable<Integer> {

    private static final String ZTF_SAMPLE = "ztf_739260766315010006.avro", RUBIN_SAMPLE = "lsst_v11_0_fakeAlert.avro";

    @Option(names = "--survey", required = true, paramLabel = "ztf|rubin",
            description = "Whose packets: ztf (63x63 stamps at 1.01\"/px, g or r) or rubin (30x30 at 0.2\"/px, g, r, i or z).")
    String survey;

    @Option(names = "--count", defaultValue = "100", paramLabel = "N", description = "Alerts to make (default ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Stream seed: alert k of a seed is the same bytes on every run (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--schema-from", paramLabel = "PACKET",
            description = "A real alert packet (Avro container file) whose schema the packets are written with (default: "
                    + ZTF_SAMPLE + " or " + RUBIN_SAMPLE + " in ../shared/data/real).")
    Path schemaFrom;

    @Option(names = "--schema-id", defaultValue = "" + RubinPacketWriter.DEFAULT_SCHEMA_ID, paramLabel = "ID",
            description = "Rubin only: the schema registry id written after the magic byte (default ${DEFAULT-VALUE}).")
    int schemaId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        AlertSurvey which = switch (survey.toLowerCase(java.util.Locale.ROOT)) {
            case "ztf" -> AlertSurvey.ZTF;
            case "rubin" -> AlertSurvey.RUBIN;
            default -> throw new IllegalArgumentException("--survey " + survey + " is not a survey this simulates: use ztf or rubin");
        };
        if (count < 0) throw new IllegalArgumentException("--count " + count + " is negative");
        Path samples = DemoFeed.sharedFolder().resolve("data").resolve("real");
        Path sample = schemaFrom != null ? schemaFrom : samples.resolve(which == AlertSurvey.ZTF ? ZTF_SAMPLE : RUBIN_SAMPLE);
        AlertPacketWriter packets = which == AlertSurvey.ZTF ? ZtfPacketWriter.fromSample(sample)
                : RubinPacketWriter.fromSample(sample, schemaId);
        AlertSimulator simulator = new AlertSimulator(which, seed);
        long written = new AlertFolderWriter(packets).write(simulator.stream(count), out);
        long real = java.util.stream.LongStream.range(0, count).filter(k -> simulator.kind(k).real()).count();
        spec.commandLine().getOut().printf("%d %s alerts (seed %d: %d real, %d bogus, %d kinds) -> %s/*.avro, %s/truth.csv%s%n",
                written, which, seed, real, written - real, AlertKind.values().length, out, out,
                which == AlertSurvey.RUBIN ? ", " + out + "/schemas/" + schemaId + ".avsc" : "");
        return 0;
    }
}
