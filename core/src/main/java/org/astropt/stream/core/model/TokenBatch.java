package org.astropt.stream.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Token sequences float[T][D] as one array [B, length, D], zero tokens after each sequence's end. */
public final class TokenBatch {

    private TokenBatch() {}

    public static NDArray stack(NDManager manager, List<float[][]> sequences, int length) {
        int b = sequences.size();
        int d = sequences.get(0)[0].length;
        float[] flat = new float[b * length * d];
        for (int i = 0; i < b; i++) {
            float[][] s = sequences.get(i);
            for (int j = 0; j < s.length; j++) System.arraycopy(s[j], 0, flat, (i * length + j) * d, d);
        }
        return manager.create(flat, new Shape(b, length, d));
    }

    /** Sequences of one length, unpadded. */
    public static NDArray stack(NDManager manager, List<float[][]> sequences) {
        return stack(manager, sequences, sequences.get(0).length);
    }
}
