package org.astropt.stream.flink.records;

/**
 * A ModelVersion record from astropt.models reduced to what the embed operator needs: a claim check
 * (where the weights are, their sha256) and the shape they must have. The original record bytes travel
 * along so a REJECTED status can be published as a copy of it. A Flink POJO.
 */
public class ModelPointer {
    public String name;
    public long version;
    /** CANDIDATE, PROMOTED, REJECTED or ROLLED_BACK; only PROMOTED serves. */
    public String status;
    /** URI of weights.safetensors; config.json lies beside it. */
    public String weightsUri;
    public String sha256;
    public int nLayer;
    public int nHead;
    public int nEmbd;
    public int nChan;
    public int blockSize;
    public int patchSize;
    /** The ModelVersion as read (Avro single-object encoding); null for the initial model. */
    public byte[] record;

    public ModelPointer() {}

    public String label() { return name + " v" + version; }

    /** The record's key on astropt.models: {@link org.astropt.stream.kafka.Topics#modelKey}. */
    public static String topicKey(String name, long version) { return org.astropt.stream.kafka.Topics.modelKey(name, version); }
}
