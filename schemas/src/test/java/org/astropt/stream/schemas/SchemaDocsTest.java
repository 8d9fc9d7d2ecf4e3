package org.astropt.stream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Every topic schema documents every field and type, and every optional field can be left out. */
class SchemaDocsTest {

  private static final List<Schema> TOPIC_SCHEMAS = List.of(Cutout.getClassSchema(),
      TokenSequence.getClassSchema(), Embedding.getClassSchema(), Flag.getClassSchema(),
      ModelVersion.getClassSchema(), DeadLetter.getClassSchema(), Label.getClassSchema());

  @Test
  void everyFieldAndNamedTypeHasADoc() {
    List<String> undocumented = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Schema schema : TOPIC_SCHEMAS) {
      collectUndocumented(schema, seen, undocumented);
    }

    assertEquals(List.of(), undocumented);
  }

  @Test
  void everyNullableFieldDefaultsToNull() {
    List<String> wrong = new ArrayList<>();
    for (Schema schema : TOPIC_SCHEMAS) {
      collectNullableWithoutNullDefault(schema, new HashSet<>(), wrong);
    }

    assertEquals(List.of(), wrong);
  }

  @Test
  void everySchemaIsInTheOrgAstroptStreamSchemasNamespace() {
    for (Schema schema : TOPIC_SCHEMAS) {
      assertEquals("org.astropt.stream.schemas", schema.getNamespace(), schema.getName());
    }
  }

  private static void collectUndocumented(Schema schema, Set<String> seen, List<String> out) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!seen.add(schema.getFullName())) {
          return;
        }
        if (isBlank(schema.getDoc())) {
          out.add(schema.getName());
        }
        for (Schema.Field field : schema.getFields()) {
          if (isBlank(field.doc())) {
            out.add(schema.getName() + "." + field.name());
          }
          collectUndocumented(field.schema(), seen, out);
        }
      }
      case ENUM -> {
        if (seen.add(schema.getFullName()) && isBlank(schema.getDoc())) {
          out.add(schema.getName());
        }
      }
      case UNION -> schema.getTypes().forEach(t -> collectUndocumented(t, seen, out));
      case ARRAY -> collectUndocumented(schema.getElementType(), seen, out);
      case MAP -> collectUndocumented(schema.getValueType(), seen, out);
      default -> { }
    }
  }

  private static void collectNullableWithoutNullDefault(Schema schema, Set<String> seen, List<String> out) {
    if (schema.getType() != Schema.Type.RECORD || !seen.add(schema.getFullName())) {
      return;
    }
    for (Schema.Field field : schema.getFields()) {
      Schema type = field.schema();
      if (type.getType() == Schema.Type.UNION) {
        boolean nullFirst = type.getTypes().get(0).getType() == Schema.Type.NULL;
        if (!nullFirst || !field.hasDefaultValue() || field.defaultVal() != org.apache.avro.JsonProperties.NULL_VALUE) {
          out.add(schema.getName() + "." + field.name());
        }
        type.getTypes().forEach(t -> collectNullableWithoutNullDefault(t, seen, out));
      } else {
        collectNullableWithoutNullDefault(type, seen, out);
      }
    }
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }
}
