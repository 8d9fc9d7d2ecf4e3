package org.astropt.stream.flink.records;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Keeps a Kafka record's bytes untouched: nothing can fail here, parsing happens in the tokenize stage. */
public final class SourceRecordDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<SourceRecord> out) {
        out.collect(new SourceRecord(r.key(), r.value(), r.topic(), r.partition(), r.offset(), r.timestamp()));
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
