package org.squeeze4j.quant;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Guards against NaN and infinite values before quantization or calibration. A NaN would give a
 * NaN scale or an arbitrary integer code (casting NaN to int yields 0), an infinity a zero scale;
 * both are silent garbage, so they are reported with the position of the first offending element.
 * The affine map {@code q = clip(round(r / s + z))} of Jacob et al. 2018 is only defined for finite
 * {@code r}; the flat index {@code i} is turned into a C-order index {@code [i_0, ..., i_{n-1}]}.
 */
public final class Finite {
    private Finite() {
    }

    /**
     * Throws if {@code x} holds a NaN or an infinity, e.g.
     * {@code "weights contain NaN at index [2, 3] (flat index 11 of 20)"}.
     *
     * @param x the array to check (integer arrays are always finite)
     * @param what how to call the array in the message, e.g. "weights"
     */
    public static void require(INDArray x, String what) {
        if (x == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.isEmpty() || !x.dataType().isFPType()) {
            return;
        }
        if (!x.isNaN().any() && !x.isInfinite().any()) {
            return;
        }
        double[] v = x.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).ravel().toDoubleVector();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                String kind = Double.isNaN(v[i]) ? "NaN" : (v[i] > 0 ? "+Infinity" : "-Infinity");
                String index = x.rank() == 0 ? "[]" : Arrays.toString(Shape.ind2subC(x.shape(), i));
                throw new IllegalArgumentException(what + " contain " + kind + " at index " + index + " (flat index " + i
                        + " of " + v.length + "); fix the data or the model (e.g. a diverged training run) before quantizing");
            }
        }
    }
}
