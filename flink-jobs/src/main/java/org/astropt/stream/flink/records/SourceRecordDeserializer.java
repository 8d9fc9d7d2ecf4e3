package org.astropt.stream.flink.records;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.flink.PipelineInputs;

/**
 * Keeps a Kafka record's bytes untouched, marked with the format of the input its topic belongs to: nothing can
 * fail here, parsing happens in the tokenize stage.
 */
public final class SourceRecordDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {

    private final PipelineInputs inputs;

    public SourceRecordDeserializer(PipelineInputs inputs) { this.inputs = inputs; }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<SourceRecord> out) {
        out.collect(new SourceRecord(r.key(), r.value(), r.topic(), r.partition(), r.offset(), r.timestamp())
                .withFormat(inputs.formatOf(r.topic()).id()));
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
