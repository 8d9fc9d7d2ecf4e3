package org.astropt.stream.flink.records;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ModelVersion records of astropt.models to pointers; an unreadable record is logged and skipped. */
public final class ModelPointerDeserializer implements KafkaRecordDeserializationSchema<ModelPointer> {

    private static final Logger LOG = LoggerFactory.getLogger(ModelPointerDeserializer.class);
    private transient AvroCodec<ModelVersion> codec;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = AvroCodec.of(ModelVersion.class);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<ModelPointer> out) {
        if (r.value() == null) return; // a tombstone: the model's history was deleted
        if (codec == null) codec = AvroCodec.of(ModelVersion.class);
        try {
            out.collect(pointer(codec.decode(r.value()), r.value()));
        } catch (RuntimeException e) {
            LOG.warn("{}-{}@{}: not a ModelVersion record, skipped: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    public static ModelPointer pointer(ModelVersion v, byte[] bytes) {
        ModelPointer p = new ModelPointer();
        p.name = v.getName().toString();
        p.version = v.getVersion();
        p.status = v.getStatus().name();
        p.weightsUri = v.getWeightsUri().toString();
        p.sha256 = v.getSha256().toString();
        ModelArchitecture a = v.getArchitecture();
        p.nLayer = a.getNLayer();
        p.nHead = a.getNHead();
        p.nEmbd = a.getNEmbd();
        p.nChan = a.getNChan();
        p.blockSize = a.getBlockSize();
        p.patchSize = a.getPatchSize();
        p.record = bytes;
        return p;
    }

    @Override
    public TypeInformation<ModelPointer> getProducedType() {
        return TypeInformation.of(ModelPointer.class);
    }
}
