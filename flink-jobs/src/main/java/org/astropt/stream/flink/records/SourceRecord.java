package org.astropt.stream.flink.records;

/**
 * One Kafka record of the cutouts topic exactly as it arrived: the bytes untouched (so a failure can
 * send them to the dead-letter topic as they were) and where they came from. A Flink POJO.
 */
public class SourceRecord {
    /** Key bytes; null when the record had no key. */
    public byte[] key;
    /** Value bytes; null for a tombstone. */
    public byte[] value;
    public String topic;
    /** -1 when not read from Kafka. */
    public int partition = -1;
    /** -1 when not read from Kafka. */
    public long offset = -1;
    /** The record's timestamp (ms since epoch): the produce time, where end-to-end latency starts. */
    public long timestamp;
    /** How the value is encoded: a PipelineInputs.Format id (cutout, ztf-alert, rubin-alert, fits); null means cutout. */
    public String format;

    public SourceRecord() {}

    public SourceRecord(byte[] key, byte[] value, String topic, int partition, long offset, long timestamp) {
        this.key = key;
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }

    /** This record read from an input of the given format (a PipelineInputs.Format id). */
    public SourceRecord withFormat(String format) {
        this.format = format;
        return this;
    }
}
