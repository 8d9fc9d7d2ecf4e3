package org.astropt.stream.flink.records;

/**
 * A cutout after the tokenize stage, on its way to the embed operator: the TokenSequence as the Avro
 * bytes that also go to astropt.tokens (encoded once), plus what the Embedding record needs from the
 * source. A Flink POJO.
 */
public class TokenizedCutout {
    public String id;
    /** TokenSequence, Avro single-object encoding. */
    public byte[] sequence;
    /** Cutouts-topic partition; embeddings go to the same partition number so each has one writer. */
    public int sourcePartition = -1;
    public long sourceOffset = -1;
    public String sourceTopic;
    /** Produce timestamp of the cutout record (ms). */
    public long sourceTime;
    public long decodeMicros;
    public long tokenizeMicros;
    /** The sequence's layout and token shape, for routing it to the model that reads it; null layout: read them from {@link #sequence}. */
    public String layout;
    public int tokenDim;
    public int tokenCount;

    public TokenizedCutout() {}
}
