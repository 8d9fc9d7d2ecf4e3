package org.astropt.stream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroCodecRoundTripTest {

  static Stream<SpecificRecord> everyRecordType() {
    return Stream.of(SampleRecords.cutout(), SampleRecords.tokenSequence(), SampleRecords.embedding(),
        SampleRecords.flag(), SampleRecords.artefactFlag(), SampleRecords.modelVersion(), SampleRecords.deadLetter());
  }

  @ParameterizedTest
  @MethodSource("everyRecordType")
  void everyRecordTypeSurvivesSingleObjectEncoding(SpecificRecord record) {
    AvroCodec<SpecificRecord> codec = codecFor(record);

    byte[] bytes = codec.encode(record);

    assertEquals(record, codec.decode(bytes));
  }

  @ParameterizedTest
  @MethodSource("everyRecordType")
  void headerIsC301AndTheLittleEndianFingerprintOfTheSchema(SpecificRecord record) {
    byte[] bytes = codecFor(record).encode(record);

    long expected = SchemaNormalization.parsingFingerprint64(record.getSchema());
    ByteBuffer header = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals((byte) 0xC3, bytes[0]);
    assertEquals((byte) 0x01, bytes[1]);
    assertEquals(expected, header.getLong());
  }

  @ParameterizedTest
  @MethodSource("everyRecordType")
  void avrosOwnMessageDecoderReadsWhatTheCodecWrites(SpecificRecord record) throws Exception {
    byte[] bytes = codecFor(record).encode(record);
    Schema schema = record.getSchema();
    BinaryMessageDecoder<SpecificRecord> avro =
        new BinaryMessageDecoder<>(SpecificData.getForClass(record.getClass()), schema);

    assertEquals(record, avro.decode(bytes));
  }

  @Test
  void tokensKeepTheirPackedLittleEndianFloats() {
    TokenSequence sequence = SampleRecords.tokenSequence();
    AvroCodec<TokenSequence> codec = AvroCodec.of(TokenSequence.class);

    TokenSequence back = codec.decode(codec.encode(sequence));

    ByteBuffer tokens = back.getTokens().order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(4 * 12 * Float.BYTES, tokens.remaining());
    float[] values = new float[48];
    tokens.asFloatBuffer().get(values);
    assertEquals(2.07f, values[2 * 12 + 7]); // token 2, value 7 = 2 + 7/100
    assertEquals(SampleRecords.OBSERVED, back.getProvenance().getObservedTime());
    assertNull(back.getProvenance().getDec());
  }

  @Test
  void nullIsATombstoneBothWays() {
    AvroCodec<ModelVersion> codec = AvroCodec.of(ModelVersion.class);

    assertNull(codec.encode(null));
    assertNull(codec.decode(null));
  }

  @SuppressWarnings("unchecked")
  private static AvroCodec<SpecificRecord> codecFor(SpecificRecord record) {
    return AvroCodec.of((Class<SpecificRecord>) record.getClass());
  }
}
