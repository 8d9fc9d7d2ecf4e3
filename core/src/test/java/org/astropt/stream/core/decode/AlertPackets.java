package org.astropt.stream.core.decode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** Alert packets built by the tests: a ZTF-shaped schema, container files and Confluent frames. */
final class AlertPackets {

    /** The shape of a ZTF alert, cut to what the decoder reads. */
    static final Schema ZTF_LIKE = new Schema.Parser().parse("""
            {"type": "record", "name": "alert", "namespace": "ztf.alert", "fields": [
              {"name": "objectId", "type": "string"},
              {"name": "candid", "type": "long"},
              {"name": "candidate", "type": {"type": "record", "name": "candidate", "fields": [
                {"name": "jd", "type": "double"}, {"name": "fid", "type": "int"},
                {"name": "ra", "type": "double"}, {"name": "dec", "type": "double"},
                {"name": "magpsf", "type": "float"}]}},
              {"name": "cutoutScience", "type": ["null", {"type": "record", "name": "cutout", "fields": [
                {"name": "fileName", "type": "string"}, {"name": "stampData", "type": "bytes"}]}], "default": null},
              {"name": "cutoutTemplate", "type": ["null", "cutout"], "default": null}
            ]}""");

    private AlertPackets() {}

    static GenericRecord ztfLike(byte[] scienceStamp, byte[] templateStamp) {
        GenericRecord candidate = new GenericData.Record(ZTF_LIKE.getField("candidate").schema());
        candidate.put("jd", 2458493.76);
        candidate.put("fid", 2);
        candidate.put("ra", 150.25);
        candidate.put("dec", -2.5);
        candidate.put("magpsf", 18.5f);
        GenericRecord alert = new GenericData.Record(ZTF_LIKE);
        alert.put("objectId", "ZTF00test");
        alert.put("candid", 1234567890123L);
        alert.put("candidate", candidate);
        alert.put("cutoutScience", stamp("sci.fits.gz", scienceStamp));
        alert.put("cutoutTemplate", stamp("ref.fits.gz", templateStamp));
        return alert;
    }

    private static GenericRecord stamp(String name, byte[] data) {
        if (data == null) return null;
        Schema cutout = ZTF_LIKE.getField("cutoutScience").schema().getTypes().get(1);
        GenericRecord r = new GenericData.Record(cutout);
        r.put("fileName", name);
        r.put("stampData", ByteBuffer.wrap(data));
        return r;
    }

    static byte[] container(GenericRecord record, CodecFactory codec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(record.getSchema()))) {
            w.setCodec(codec);
            w.create(record.getSchema(), out);
            w.append(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Magic byte 0, the schema id big-endian, then the record's Avro binary body. */
    static byte[] confluent(int schemaId, GenericRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
        try {
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
