package org.squeeze4j.quant;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Uniform affine quantization as pure functions on ND4J arrays (Jacob et al. 2018, eq. 1;
 * Krishnamoorthi 2018, section 2.1; Nagel et al. 2021, eq. 4-7):
 * <pre>
 *   quantize:      q     = clip(round(r / s + z), qmin, qmax)
 *   dequantize:    r_hat = s (q - z)
 *   fakeQuantize:  r_hat = dequantize(quantize(r))        |r - r_hat| &lt;= s/2 for r inside the grid's range
 * </pre>
 *
 * <p><b>Conventions.</b>
 * <ul>
 *   <li>Rounding is round-half-to-even ({@code rint}, IEEE 754's default and what torch.ao's
 *       {@code quantize_per_tensor} uses via {@code nearbyint}); TFLite's reference kernels round
 *       half away from zero instead. Ties only occur for values exactly halfway between two codes.</li>
 *   <li>The arithmetic is done in float64: {@code r} is cast to double, divided by {@code s}, then
 *       {@code z} is added, rounded and clipped. Dequantization computes {@code (q - z) * s} in
 *       double and rounds once to the output type. A plain Java loop doing the same double
 *       operations gives bit-identical results (the tests check that).</li>
 *   <li>{@link #quantize} returns the codes as an {@link DataType#INT32} array, wide enough for every
 *       grid up to unsigned 16 bit; {@link #dequantize} returns {@link DataType#FLOAT};
 *       {@link #fakeQuantize} returns the input's floating type.</li>
 *   <li>Per-channel qparams broadcast along their axis: channel {@code c} of axis {@code a} is the
 *       slice {@code r[..., c, ...]} with index {@code c} in dimension {@code a}.</li>
 * </ul>
 * Inputs with NaN or infinities, shape/axis mismatches and codes outside the grid are rejected
 * with an {@link IllegalArgumentException}.
 */
public final class Quantizer {
    private Quantizer() {
    }

    /** Integer codes {@code clip(round(r / s + z), qmin, qmax)} as an INT32 array of r's shape. */
    public static INDArray quantize(INDArray r, QParams p, QuantSpec spec) {
        check(r, p, spec, "input");
        Finite.require(r, "input");
        INDArray x = r.castTo(DataType.DOUBLE);
        if (x == r) {
            x = r.dup();
        }
        apply(x, p, Op.DIV, p.scalesArray());
        apply(x, p, Op.ADD, p.zeroPointsArray());
        x = Nd4j.exec(new Rint(x, x));
        clipInPlace(x, spec.qmin(), spec.qmax());
        return x.castTo(DataType.INT32);
    }

    /** Real values {@code s (q - z)} of integer codes, as FLOAT. Codes must lie in {@code [qmin, qmax]}. */
    public static INDArray dequantize(INDArray q, QParams p, QuantSpec spec) {
        check(q, p, spec, "codes");
        if (q.dataType().isFPType()) {
            Finite.require(q, "codes");
        }
        double lo = q.minNumber().doubleValue();
        double hi = q.maxNumber().doubleValue();
        if (lo < spec.qmin() || hi > spec.qmax() || (q.dataType().isFPType() && !isIntegral(q))) {
            throw new IllegalArgumentException("codes must be integers in [" + spec.qmin() + ", " + spec.qmax() + "] for " + spec
                    + ", got values in [" + lo + ", " + hi + "]; were they quantized with a different spec?");
        }
        return realValues(q, p).castTo(DataType.FLOAT);
    }

    /**
     * {@code dequantize(quantize(r))} in one pass, returned in r's floating type (FLOAT for integer
     * input): the "fake quantization" used to simulate a quantized model in floating point.
     */
    public static INDArray fakeQuantize(INDArray r, QParams p, QuantSpec spec) {
        INDArray q = quantize(r, p, spec);
        DataType out = r.dataType().isFPType() ? r.dataType() : DataType.FLOAT;
        return realValues(q, p).castTo(out);
    }

    /** Scalar version of {@link #fakeQuantize} with the same double arithmetic, for searches over candidate ranges. */
    public static double fakeQuantize(double r, double scale, int zeroPoint, int qmin, int qmax) {
        double q = Math.rint(r / scale + zeroPoint);
        q = Math.max(qmin, Math.min(qmax, q));
        return (q - zeroPoint) * scale;
    }

    private static INDArray realValues(INDArray q, QParams p) {
        INDArray x = q.castTo(DataType.DOUBLE);
        if (x == q) {
            x = q.dup();
        }
        apply(x, p, Op.SUB, p.zeroPointsArray());
        apply(x, p, Op.MUL, p.scalesArray());
        return x;
    }

    private enum Op { DIV, ADD, SUB, MUL }

    private static void apply(INDArray x, QParams p, Op op, double[] values) {
        if (!p.isPerChannel()) {
            double v = values[0];
            switch (op) {
                case DIV -> x.divi(v);
                case ADD -> x.addi(v);
                case SUB -> x.subi(v);
                case MUL -> x.muli(v);
            }
            return;
        }
        INDArray vec = Nd4j.createFromArray(values);
        int axis = p.axis();
        switch (op) {
            case DIV -> Broadcast.div(x, vec, x, axis);
            case ADD -> Broadcast.add(x, vec, x, axis);
            case SUB -> Broadcast.sub(x, vec, x, axis);
            case MUL -> Broadcast.mul(x, vec, x, axis);
        }
    }

    private static void clipInPlace(INDArray x, int qmin, int qmax) {
        Transforms.max(x, qmin, false);
        Transforms.min(x, qmax, false);
    }

    private static boolean isIntegral(INDArray q) {
        INDArray d = q.castTo(DataType.DOUBLE);
        return d.equalsWithEps(Transforms.floor(d, true), 0.0);
    }

    private static void check(INDArray x, QParams p, QuantSpec spec, String what) {
        if (x == null || p == null || spec == null) {
            throw new IllegalArgumentException("array, qparams and spec must not be null");
        }
        if (x.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty; nothing to quantize");
        }
        if (spec.axis() != p.axis()) {
            throw new IllegalArgumentException("qparams axis " + p.axis() + " does not match spec " + spec
                    + "; compute the qparams with the same spec (-1 means per-tensor)");
        }
        if (p.isPerChannel()) {
            if (p.axis() >= x.rank()) {
                throw new IllegalArgumentException("per-channel axis " + p.axis() + " is out of range for " + what + " of shape "
                        + java.util.Arrays.toString(x.shape()) + " (rank " + x.rank() + ")");
            }
            long channels = x.size(p.axis());
            if (channels != p.channels()) {
                throw new IllegalArgumentException(what + " of shape " + java.util.Arrays.toString(x.shape()) + " has " + channels
                        + " channels along axis " + p.axis() + " but qparams have " + p.channels() + " scales");
            }
        }
        for (int c = 0; c < p.channels(); c++) {
            int z = p.zeroPoint(c);
            if (z < spec.qmin() || z > spec.qmax()) {
                throw new IllegalArgumentException("zero point " + z + " (channel " + c + ") is outside [" + spec.qmin() + ", "
                        + spec.qmax() + "] of " + spec);
            }
            if (spec.symmetric() && z != 0) {
                throw new IllegalArgumentException("symmetric spec " + spec + " needs zero point 0, channel " + c + " has " + z);
            }
        }
    }
}
