package org.astropt.stream.flink;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.SourceRecord;

/** Where the pipeline reads: cutout records and model pointers. Kafka in production ({@link KafkaEdges}), anything in tests. */
public interface PipelineSources {

    DataStream<SourceRecord> cutouts(StreamExecutionEnvironment env);

    DataStream<ModelPointer> models(StreamExecutionEnvironment env);
}
