package org.astropt.stream.core.sim;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Writes a synthetic alert stream to a folder as a survey's archive holds it: {@code DIR/<source id>.avro}
 * (one packet per file, the bytes a broker publishes: for ZTF a container file, for Rubin a Confluent
 * frame), {@code DIR/truth.csv} ({@link AlertTruthCatalogue}) and, for Rubin, {@code DIR/schemas/<id>.avsc},
 * the writer schema under its registry id, for a reader's folder of schemas.
 * {@code astropt simulate-alerts --survey ztf --count 1000 --seed 1 --out DIR} runs it.
 */
public final class AlertFolderWriter {

    private final AlertPacketWriter packets;

    public AlertFolderWriter(AlertPacketWriter packets) {
        this.packets = packets;
    }

    /** Writes every alert of the stream and returns how many. */
    public long write(Stream<SimulatedAlert> alerts, Path dir) throws IOException {
        Files.createDirectories(dir);
        if (packets instanceof RubinPacketWriter rubin) {
            Path schemas = Files.createDirectories(dir.resolve("schemas"));
            Files.writeString(schemas.resolve(rubin.schemaId() + ".avsc"), rubin.schema().toString(true), StandardCharsets.UTF_8);
        }
        long n = 0;
        try (BufferedWriter csv = Files.newBufferedWriter(dir.resolve("truth.csv"), StandardCharsets.UTF_8)) {
            csv.write(AlertTruthCatalogue.header());
            csv.newLine();
            for (Iterator<SimulatedAlert> it = alerts.iterator(); it.hasNext(); n++) {
                SimulatedAlert a = it.next();
                if (a.truth().survey() != packets.survey()) {
                    throw new IllegalArgumentException("alert " + a.truth().sourceId() + " is a " + a.truth().survey()
                            + " alert but the packet writer writes " + packets.survey());
                }
                Files.write(dir.resolve(a.truth().fileName()), packets.packet(a));
                csv.write(AlertTruthCatalogue.row(a));
                csv.newLine();
            }
        }
        return n;
    }
}
