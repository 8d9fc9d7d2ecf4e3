package org.astropt.stream.schemas;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one codec for this project's Kafka values: bytes in, record out, and back, with no Kafka or
 * Flink types, so a kafka-clients Serializer/Deserializer or a Flink (De)SerializationSchema is a
 * few lines around it.
 *
 * <p>Writes Avro single-object encoding ({@code C3 01}, 8-byte fingerprint, body). Reads
 * single-object encoding written with the current schema or any schema in the history
 * ({@link SchemaHistory}), and the Confluent wire format ({@code 00}, 4-byte schema id, body) with the
 * writer schema from a {@link SchemaLookup}. Either way the record is resolved to the reader schema
 * (fields added since get their defaults, removed fields are skipped).
 *
 * <pre>{@code
 * AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class);
 * byte[] value = codec.encode(embedding);
 * Embedding back = codec.decode(value);
 * }</pre>
 *
 * <p>Thread-safe. Not Serializable: a Flink function builds it in {@code open()} from the record
 * class. {@code null} maps to {@code null} both ways (Kafka tombstones on compacted topics); an
 * empty array is an error.
 *
 * @param <T> the record type: a generated class, or {@link GenericRecord} for {@link #generic}
 */
public final class AvroCodec<T> {

  private final GenericData model;
  private final Schema readerSchema;
  private final long readerFingerprint;
  private final SchemaStore history;
  private final SchemaLookup confluentSchemas;
  private final BinaryMessageEncoder<T> encoder;
  private final Map<Long, DatumReader<T>> readersByFingerprint = new ConcurrentHashMap<>();
  private final Map<Integer, DatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();

  private AvroCodec(GenericData model, Schema readerSchema, SchemaStore history, SchemaLookup confluentSchemas) {
    this.model = model;
    this.readerSchema = readerSchema;
    this.readerFingerprint = SchemaNormalization.parsingFingerprint64(readerSchema);
    this.history = history;
    this.confluentSchemas = confluentSchemas;
    this.encoder = new BinaryMessageEncoder<>(model, readerSchema);
  }

  /** Codec for a generated record class with the project's schema history and no Confluent schemas. */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
    return of(type, SchemaHistory.load(), SchemaLookup.none());
  }

  /** Codec for a generated record class with the project's schema history. */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaLookup confluentSchemas) {
    return of(type, SchemaHistory.load(), confluentSchemas);
  }

  /** Codec for a generated record class with the given schema history and Confluent schema lookup. */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaStore history,
      SchemaLookup confluentSchemas) {
    SpecificData model = SpecificData.getForClass(type); // the class's own model, with its logical-type conversions
    return new AvroCodec<>(model, model.getSchema(type), history, confluentSchemas);
  }

  /**
   * Codec for {@link GenericRecord}s of {@code readerSchema}, e.g. alert packets or a schema version
   * no class was generated for. Logical types stay in their underlying type (timestamps as long).
   */
  public static AvroCodec<GenericRecord> generic(Schema readerSchema, SchemaStore history,
      SchemaLookup confluentSchemas) {
    return new AvroCodec<>(GenericData.get(), readerSchema, history, confluentSchemas);
  }

  /** The reader schema, also the schema every {@link #encode} writes. */
  public Schema schema() {
    return readerSchema;
  }

  /** CRC-64-AVRO parsing fingerprint of {@link #schema()}, as written in every encoded header. */
  public long fingerprint() {
    return readerFingerprint;
  }

  /**
   * Single-object encoding of {@code record}; null for null.
   *
   * @throws IllegalArgumentException when the record does not fit the schema (e.g. a required field is null)
   */
  public byte[] encode(T record) {
    if (record == null) {
      return null;
    }
    ByteBuffer buffer;
    try {
      buffer = encoder.encode(record);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding " + readerSchema.getName() + " in memory failed: " + e.getMessage(), e);
    } catch (RuntimeException e) { // NullPointerException, ClassCastException, AvroRuntimeException
      throw new IllegalArgumentException("cannot encode " + readerSchema.getName() + " as Avro: " + e.getMessage(), e);
    }
    byte[] array = buffer.array();
    boolean whole = buffer.arrayOffset() == 0 && buffer.position() == 0 && buffer.remaining() == array.length;
    return whole ? array : Arrays.copyOfRange(array, buffer.arrayOffset() + buffer.position(),
        buffer.arrayOffset() + buffer.limit());
  }

  /**
   * The record in {@code message}, single-object encoded or in Confluent wire format; null for null.
   *
   * @throws AvroDecodeException naming what is wrong: empty, bad magic, truncated, unknown fingerprint
   *     or schema id, a different record type, an incompatible schema, or a malformed body
   */
  public T decode(byte[] message) {
    if (message == null) {
      return null;
    }
    AvroFrame frame = AvroFrame.parse(message);
    DatumReader<T> reader;
    String writerName;
    if (frame instanceof AvroFrame.SingleObject single) {
      reader = readerForFingerprint(single.fingerprint());
      writerName = "fingerprint " + hex(single.fingerprint());
    } else {
      int id = ((AvroFrame.Confluent) frame).schemaId();
      reader = readerForSchemaId(id);
      writerName = "schema id " + id;
    }
    int offset = frame.bodyOffset();
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(message, offset, message.length - offset, null);
    T record;
    try {
      record = reader.read(null, in);
    } catch (EOFException e) {
      throw new AvroDecodeException(AvroDecodeException.Problem.TRUNCATED, "Avro message for "
          + readerSchema.getName() + " (" + writerName + ") is truncated: its " + (message.length - offset)
          + "-byte body ends before the record does");
    } catch (IOException | RuntimeException e) {
      throw new AvroDecodeException(AvroDecodeException.Problem.MALFORMED, "Avro message for "
          + readerSchema.getName() + " (" + writerName + ") has a malformed body: " + oneLine(e), e);
    }
    if (!isEnd(in)) {
      throw new AvroDecodeException(AvroDecodeException.Problem.MALFORMED, "Avro message for "
          + readerSchema.getName() + " (" + writerName + ") has bytes left over after the record");
    }
    return record;
  }

  private DatumReader<T> readerForFingerprint(long fingerprint) {
    DatumReader<T> cached = readersByFingerprint.get(fingerprint);
    if (cached != null) {
      return cached;
    }
    Schema writer = fingerprint == readerFingerprint ? readerSchema : history.findByFingerprint(fingerprint);
    if (writer == null) {
      throw new AvroDecodeException(AvroDecodeException.Problem.UNKNOWN_FINGERPRINT, "Avro message for "
          + readerSchema.getName() + " has writer schema fingerprint " + hex(fingerprint)
          + ", which is neither the current " + readerSchema.getName()
          + " schema nor one in its schema history (add that schema to avro-history/)");
    }
    DatumReader<T> reader = resolvingReader(writer, "fingerprint " + hex(fingerprint));
    readersByFingerprint.putIfAbsent(fingerprint, reader);
    return reader;
  }

  private DatumReader<T> readerForSchemaId(int schemaId) {
    DatumReader<T> cached = readersBySchemaId.get(schemaId);
    if (cached != null) {
      return cached;
    }
    Optional<Schema> writer = confluentSchemas.schema(schemaId);
    if (writer.isEmpty()) {
      throw new AvroDecodeException(AvroDecodeException.Problem.UNKNOWN_SCHEMA_ID, "Avro message for "
          + readerSchema.getName() + " is in Confluent wire format with schema id " + schemaId
          + ", which the schema lookup does not know");
    }
    DatumReader<T> reader = resolvingReader(writer.get(), "schema id " + schemaId);
    readersBySchemaId.putIfAbsent(schemaId, reader);
    return reader;
  }

  /** A reader from {@code writer} to the reader schema, after checking the two resolve. */
  @SuppressWarnings("unchecked")
  private DatumReader<T> resolvingReader(Schema writer, String writerName) {
    if (!sameRecordType(writer)) {
      throw new AvroDecodeException(AvroDecodeException.Problem.WRONG_RECORD, "Avro message (" + writerName
          + ") holds a " + writer.getFullName() + ", not a " + readerSchema.getFullName());
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new AvroDecodeException(AvroDecodeException.Problem.INCOMPATIBLE, "Avro message (" + writerName
          + ") was written with a " + writer.getFullName() + " schema that cannot be read as the current one: "
          + compatibility.getResult().getIncompatibilities().stream()
              .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
              .reduce((a, b) -> a + "; " + b).orElse(compatibility.getDescription()));
    }
    return (DatumReader<T>) model.createDatumReader(writer, readerSchema);
  }

  /** Same rule as Avro's resolution: equal unqualified names, or the writer's full name is an alias. */
  private boolean sameRecordType(Schema writer) {
    if (writer.getType() != readerSchema.getType()) {
      return false;
    }
    return readerSchema.getName().equals(writer.getName()) || readerSchema.getAliases().contains(writer.getFullName());
  }

  private static boolean isEnd(BinaryDecoder in) {
    try {
      return in.isEnd();
    } catch (IOException e) {
      return true; // an in-memory decoder cannot fail here; nothing left to read
    }
  }

  private static String hex(long fingerprint) {
    return String.format("0x%016x", fingerprint);
  }

  private static String oneLine(Throwable e) {
    String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return text.replaceAll("\\s+", " ");
  }
}
