package org.astropt.stream.core.sim;

import static org.astropt.stream.core.sim.AlertPacketFields.set;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * ZTF alert packets: one Avro object container file per alert with the writer schema inside, as ZTF
 * distributes them, written with the schema of a real ZTF packet ({@link #fromSample}: the project ships no
 * copy of it). Stamps are gzipped FITS in {@code cutoutScience/Template/Difference.stampData}.
 *
 * <p>What the packet carries: {@code objectId}, {@code candid}, and in {@code candidate} the jd, fid (1 = g,
 * 2 = r), ra, dec, magpsf, sigmapsf, isdiffpos, diffmaglim, fwhm, scorr, magzpsci and exptime measured or
 * drawn for the alert; {@code rb} is null (no real/bogus model ran; schema 3.2 has no drb) and rbversion
 * "none"; {@code publisher} says the packet is synthetic; fields the simulator does not model hold null where
 * the schema allows and 0 or "" where it does not. The truth is not in the packet: see {@link AlertTruthCatalogue}.
 */
public final class ZtfPacketWriter implements AlertPacketWriter {

    /** The publisher field of every synthetic packet: a consumer can tell them from the survey's own. */
    public static final String PUBLISHER = "astropt-stream AlertSimulator (synthetic)";

    private final Schema schema;
    private final String schemaVersion;

    public ZtfPacketWriter(Schema schema, String schemaVersion) {
        if (schema.getField("candidate") == null || schema.getField("cutoutDifference") == null) {
            throw new IllegalArgumentException("schema " + schema.getFullName() + " is not a ZTF alert schema (no candidate or cutoutDifference)");
        }
        this.schema = schema;
        this.schemaVersion = schemaVersion;
    }

    /** The writer schema and schemavsn of a real ZTF packet, e.g. ../shared/data/real/ztf_739260766315010006.avro. */
    public static ZtfPacketWriter fromSample(Path packet) {
        GenericRecord sample = AlertPacketFields.sample(packet);
        Object vsn = sample.getSchema().getField("schemavsn") == null ? null : sample.get("schemavsn");
        try {
            return new ZtfPacketWriter(sample.getSchema(), vsn == null ? "" : vsn.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(packet + ": " + e.getMessage(), e);
        }
    }

    public Schema schema() { return schema; }

    @Override
    public AlertSurvey survey() { return AlertSurvey.ZTF; }

    @Override
    public byte[] packet(SimulatedAlert alert) {
        return container(record(alert), alert.truth().sourceId());
    }

    /** The alert record, before framing. */
    GenericRecord record(SimulatedAlert alert) {
        AlertTruth t = alert.truth();
        if (t.survey() != AlertSurvey.ZTF) throw new IllegalArgumentException("alert " + t.sourceId() + " is a " + t.survey() + " alert, not ZTF");
        AlertPhotometry p = alert.photometry();
        long candid = t.sourceId();
        long pid = candid / 10_000;
        long hash = Deviates.mix(candid);
        GenericRecord c = AlertPacketFields.blank(AlertPacketFields.recordOf(schema, "candidate"));
        set(c, "jd", t.time());
        set(c, "fid", t.band().equals("g") ? 1 : 2);
        set(c, "pid", pid);
        set(c, "diffmaglim", p.limitingMag());
        set(c, "programid", 1);
        set(c, "candid", candid);
        set(c, "isdiffpos", p.positive() ? "t" : "f");
        set(c, "nid", (int) Math.floor(t.time() - 2458119.5));           // nights since 2018-01-01
        set(c, "rcid", (int) Math.floorMod(hash, 64L));
        set(c, "field", 245 + (int) Math.floorMod(hash >>> 8, 636L));
        set(c, "xpos", 32 + Math.floorMod(hash >>> 20, 3000L));
        set(c, "ypos", 32 + Math.floorMod(hash >>> 36, 3000L));
        set(c, "ra", t.ra());
        set(c, "dec", t.dec());
        set(c, "magpsf", p.magnitude());
        set(c, "sigmapsf", p.magnitudeError());
        set(c, "fwhm", p.fwhmPx());
        set(c, "rb", null);
        set(c, "ranr", t.ra());
        set(c, "decnr", t.dec());
        set(c, "ndethist", 1);
        set(c, "ncovhist", 1);
        set(c, "jdstarthist", t.time());
        set(c, "jdendhist", t.time());
        set(c, "scorr", p.snr());
        set(c, "rfid", 1000L * (245 + Math.floorMod(hash >>> 8, 636L)) + Math.floorMod(hash, 64L));
        set(c, "jdstartref", t.time() - 700);
        set(c, "jdendref", t.time() - 300);
        set(c, "nframesref", 20);
        set(c, "rbversion", "none");
        set(c, "magzpsci", p.zeropoint());
        set(c, "exptime", 30);

        GenericRecord a = AlertPacketFields.blank(schema);
        set(a, "schemavsn", schemaVersion);
        set(a, "publisher", PUBLISHER);
        set(a, "objectId", t.objectId());
        set(a, "candid", candid);
        set(a, "candidate", c);
        String prefix = "candid" + candid + "_pid" + pid + "_targ_";                  // ZTF's stamp file names
        set(a, "cutoutScience", stamp(prefix + "sci.fits.gz", alert.science()));
        set(a, "cutoutTemplate", stamp("candid" + candid + "_ref.fits.gz", alert.template()));
        set(a, "cutoutDifference", stamp(prefix + "scimref.fits.gz", alert.difference()));
        return a;
    }

    private GenericRecord stamp(String fileName, float[][] pixels) {
        GenericRecord s = AlertPacketFields.blank(AlertPacketFields.recordOf(schema, "cutoutScience"));
        set(s, "fileName", fileName);
        set(s, "stampData", ByteBuffer.wrap(AlertStampFits.gzippedFits(pixels, AlertSurvey.ZTF.unit())));
        return s;
    }

    /** An Avro container file of one record, null codec, its sync marker drawn from the alert id so equal alerts give equal bytes. */
    private byte[] container(GenericRecord record, long id) {
        byte[] sync = ByteBuffer.allocate(16).putLong(Deviates.mix(id)).putLong(Deviates.mix(~id)).array();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            w.setCodec(CodecFactory.nullCodec());
            w.create(schema, out, sync);
            w.append(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
