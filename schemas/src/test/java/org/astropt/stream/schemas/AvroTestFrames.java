package org.astropt.stream.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;

/** Frames records by hand, the way a Confluent serializer would, independently of the codec. */
final class AvroTestFrames {

  private AvroTestFrames() {}

  /** 00, schema id big-endian, then the Avro binary body of {@code datum} written with {@code schema}. */
  static byte[] confluent(int schemaId, Schema schema, Object datum, GenericData model) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x00);
    out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      model.createDatumWriter(schema).write(datum, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] confluent(int schemaId, org.apache.avro.specific.SpecificRecord record) {
    return confluent(schemaId, record.getSchema(), record, SpecificData.getForClass(record.getClass()));
  }
}
