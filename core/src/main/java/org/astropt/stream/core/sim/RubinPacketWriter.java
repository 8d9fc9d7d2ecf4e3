package org.astropt.stream.core.sim;

import static org.astropt.stream.core.sim.AlertPacketFields.set;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Rubin alert packets in the Confluent wire format Rubin's stream uses: byte 0, the writer schema's
 * registry id (4 bytes, big-endian), then the Avro body. The writer schema is read from a Rubin sample
 * packet ({@link #fromSample}: the project ships no copy of it); a reader finds it by id in a schema
 * registry or in a folder of {@code <id>.avsc} files ({@code AlertSchemas.folder}), which
 * {@link AlertFolderWriter} writes beside the packets. Stamps are FITS bytes in {@code cutoutScience},
 * {@code cutoutTemplate} and {@code cutoutDifference}.
 *
 * <p>What the packet carries: {@code diaSourceId}; in {@code diaSource} the ids, visit, detector,
 * midpointMjdTai, ra, dec, band, psfFlux and psfFluxErr (nJy, measured on the difference), snr, isNegative
 * and bboxSize; a {@code diaObject} with its id, position and one source; {@code reliability} is null (no
 * real/bogus model ran). Fields the simulator does not model hold null where the schema allows, else 0.
 */
public final class RubinPacketWriter implements AlertPacketWriter {

    /** Registry id of Rubin alert schema 11.0 as the tests and docs here use it (major * 100 + minor). */
    public static final int DEFAULT_SCHEMA_ID = 1100;

    private final Schema schema;
    private final int schemaId;

    public RubinPacketWriter(Schema schema, int schemaId) {
        if (schema.getField("diaSource") == null || schema.getField("cutoutDifference") == null) {
            throw new IllegalArgumentException("schema " + schema.getFullName() + " is not a Rubin alert schema (no diaSource or cutoutDifference)");
        }
        this.schema = schema;
        this.schemaId = schemaId;
    }

    /** The writer schema of a Rubin sample packet (e.g. ../shared/data/real/lsst_v11_0_fakeAlert.avro), under this id. */
    public static RubinPacketWriter fromSample(Path packet, int schemaId) {
        try {
            return new RubinPacketWriter(AlertPacketFields.sample(packet).getSchema(), schemaId);
        } catch (IllegalStateException | IllegalArgumentException e) {
            if (e.getMessage().startsWith(packet.toString())) throw e;
            throw new IllegalArgumentException(packet + ": " + e.getMessage(), e);
        }
    }

    public Schema schema() { return schema; }

    public int schemaId() { return schemaId; }

    @Override
    public AlertSurvey survey() { return AlertSurvey.RUBIN; }

    @Override
    public byte[] packet(SimulatedAlert alert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
        try {
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema).write(record(alert), enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The alert record, before framing. */
    GenericRecord record(SimulatedAlert alert) {
        AlertTruth t = alert.truth();
        if (t.survey() != AlertSurvey.RUBIN) throw new IllegalArgumentException("alert " + t.sourceId() + " is a " + t.survey() + " alert, not Rubin");
        AlertPhotometry p = alert.photometry();
        long objectId = Long.parseLong(t.objectId());
        long hash = Deviates.mix(t.sourceId());
        GenericRecord s = AlertPacketFields.blank(AlertPacketFields.recordOf(schema, "diaSource"));
        set(s, "diaSourceId", t.sourceId());
        set(s, "visit", 2025_1201_00000L + t.index() / 200);               // about 200 alerts per visit
        set(s, "detector", (int) Math.floorMod(hash, 189L));
        set(s, "diaObjectId", objectId);
        set(s, "midpointMjdTai", t.time());
        set(s, "ra", t.ra());
        set(s, "dec", t.dec());
        set(s, "x", 20 + Math.floorMod(hash >>> 8, 4000L));
        set(s, "y", 20 + Math.floorMod(hash >>> 24, 4000L));
        set(s, "psfFlux", p.flux());
        set(s, "psfFluxErr", p.fluxErr());
        set(s, "snr", Math.abs(p.snr()));
        set(s, "isNegative", !p.positive());
        set(s, "band", t.band());
        set(s, "reliability", null);
        set(s, "timeProcessedMjdTai", t.time() + 60 / 86400.0);
        set(s, "bboxSize", t.survey().size());

        GenericRecord o = AlertPacketFields.blank(AlertPacketFields.recordOf(schema, "diaObject"));
        set(o, "diaObjectId", objectId);
        set(o, "validityStartMjdTai", t.time());
        set(o, "ra", t.ra());
        set(o, "dec", t.dec());
        set(o, t.band() + "_psfFluxMean", p.flux());
        set(o, t.band() + "_psfFluxMeanErr", p.fluxErr());
        set(o, t.band() + "_psfFluxNdata", 1);
        set(o, "firstDiaSourceMjdTai", t.time());
        set(o, "lastDiaSourceMjdTai", t.time());
        set(o, "nDiaSources", 1);

        GenericRecord a = AlertPacketFields.blank(schema);
        set(a, "diaSourceId", t.sourceId());
        set(a, "diaSource", s);
        set(a, "diaObject", o);
        set(a, "cutoutScience", ByteBuffer.wrap(AlertStampFits.fits(alert.science(), AlertSurvey.RUBIN.unit())));
        set(a, "cutoutTemplate", ByteBuffer.wrap(AlertStampFits.fits(alert.template(), AlertSurvey.RUBIN.unit())));
        set(a, "cutoutDifference", ByteBuffer.wrap(AlertStampFits.fits(alert.difference(), AlertSurvey.RUBIN.unit())));
        return a;
    }
}
