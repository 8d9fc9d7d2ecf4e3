package org.astropt.stream.core.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;

import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Filling a survey's alert record field by field: the writer schema read from a sample packet, every
 * field first set to its neutral value (null where the schema allows it, else 0, "", false, empty), then
 * the fields the simulator knows set by name, numbers converted to the field's type.
 */
final class AlertPacketFields {

    private AlertPacketFields() {}

    /** The first record of an Avro container file (a survey's sample alert packet): its schema is the writer schema. */
    static GenericRecord sample(Path packet) {
        if (!Files.isRegularFile(packet)) {
            throw new IllegalArgumentException(packet + ": no such sample alert packet (the alert schema is read from one)");
        }
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(packet.toFile(), new GenericDatumReader<>())) {
            if (!reader.hasNext()) throw new IllegalArgumentException(packet + ": the sample alert packet holds no record");
            return reader.next();
        } catch (IOException e) {
            throw new IllegalArgumentException(packet + ": not an Avro container file (" + e.getMessage() + ")", e);
        }
    }

    /** A record of this schema with every field at its neutral value; nested records that may not be null are filled too. */
    static GenericRecord blank(Schema schema) {
        GenericRecord r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) r.put(f.pos(), neutral(f.schema()));
        return r;
    }

    private static Object neutral(Schema s) {
        return switch (s.getType()) {
            case UNION -> s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL) ? null : neutral(s.getTypes().get(0));
            case RECORD -> blank(s);
            case STRING -> "";
            case INT -> 0;
            case LONG -> 0L;
            case FLOAT -> 0f;
            case DOUBLE -> 0d;
            case BOOLEAN -> false;
            case BYTES -> ByteBuffer.allocate(0);
            case ARRAY -> new ArrayList<>();
            case MAP -> new HashMap<>();
            case ENUM -> new GenericData.EnumSymbol(s, s.getEnumSymbols().get(0));
            case FIXED -> new GenericData.Fixed(s, new byte[s.getFixedSize()]);
            case NULL -> null;
        };
    }

    /** Sets a field that the survey's schema must have, converting a number to the field's type. */
    static void set(GenericRecord r, String name, Object value) {
        Schema.Field f = r.getSchema().getField(name);
        if (f == null) {
            throw new IllegalStateException("alert schema " + r.getSchema().getFullName() + " has no field " + name
                    + ": the sample packet is not of the schema version the simulator writes");
        }
        Schema target = f.schema();
        if (target.getType() == Schema.Type.UNION) {
            target = target.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(target);
        }
        if (value instanceof Number n) {
            value = switch (target.getType()) {
                case INT -> n.intValue();
                case LONG -> n.longValue();
                case FLOAT -> n.floatValue();
                case DOUBLE -> n.doubleValue();
                default -> value;
            };
        }
        r.put(name, value);
    }

    /** The nested record schema of a field (the non-null branch of a union). */
    static Schema recordOf(Schema parent, String field) {
        Schema s = parent.getField(field).schema();
        if (s.getType() == Schema.Type.UNION) {
            s = s.getTypes().stream().filter(t -> t.getType() == Schema.Type.RECORD).findFirst()
                    .orElseThrow(() -> new IllegalStateException("alert schema field " + field + " holds no record"));
        }
        return s;
    }
}
