package org.astropt.stream.flink.records;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records of astropt.tokens (key: object id, value: TokenSequence bytes) as the embed stage's input, for the
 * backfill: the bytes go on untouched (the embed stage decodes and checks them), with the token record's
 * partition, offset and time as the source. Tombstones and records without a key are skipped.
 */
public final class TokenRecordDeserializer implements KafkaRecordDeserializationSchema<TokenizedCutout> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<TokenizedCutout> out) {
        if (r.value() == null || r.key() == null) return;
        TokenizedCutout t = new TokenizedCutout();
        t.id = new String(r.key(), StandardCharsets.UTF_8);
        t.sequence = r.value();
        t.sourceTopic = r.topic();
        t.sourcePartition = r.partition();
        t.sourceOffset = r.offset();
        t.sourceTime = r.timestamp();
        out.collect(t);
    }

    @Override
    public TypeInformation<TokenizedCutout> getProducedType() {
        return TypeInformation.of(TokenizedCutout.class);
    }
}
