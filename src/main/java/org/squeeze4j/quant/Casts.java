package org.squeeze4j.quant;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Round trips through 16-bit floating point, to compare integer quantization with the
 * "just store half precision" baseline (Nagel et al. 2021, section 1; Micikevicius et al. 2018,
 * "Mixed Precision Training"; Kalamkar et al. 2019, "A Study of BFLOAT16 for Deep Learning Training").
 * <pre>
 *   fp16 (IEEE binary16): 1 sign, 5 exponent, 10 mantissa bits; max 65504, relative step 2^-10
 *   bf16 (bfloat16):      1 sign, 8 exponent,  7 mantissa bits; float32's range, relative step 2^-7
 * </pre>
 * Both casts round to nearest (ties to even) through ND4J's {@link DataType#HALF} and
 * {@link DataType#BFLOAT16}. Example: 1/3 becomes 0.333251953125 in fp16 and 0.333984375 in bf16.
 * Out-of-range values follow IEEE semantics: |r| above fp16's 65504 (plus half a step) becomes
 * infinite, which is why bf16 is preferred for data with a wide dynamic range.
 */
public final class Casts {
    private Casts() {
    }

    /** {@code x} rounded to fp16 and cast back to its own floating type (a new array). */
    public static INDArray toFp16AndBack(INDArray x) {
        return roundTrip(x, DataType.HALF);
    }

    /** {@code x} rounded to bf16 and cast back to its own floating type (a new array). */
    public static INDArray toBf16AndBack(INDArray x) {
        return roundTrip(x, DataType.BFLOAT16);
    }

    private static INDArray roundTrip(INDArray x, DataType via) {
        if (x == null) {
            throw new IllegalArgumentException("array must not be null");
        }
        if (!x.dataType().isFPType()) {
            throw new IllegalArgumentException("expected a floating-point array, got " + x.dataType());
        }
        Finite.require(x, "input");
        INDArray half = x.castTo(via);
        INDArray back = half.castTo(x.dataType());
        return back == x ? x.dup() : back;
    }
}
