package org.squeeze4j.engine;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;

/**
 * The same integer pipeline as {@link IntModel}, simulated in floating point with ND4J (float64
 * arrays holding integer values), written independently of the engine's loops: the reference the
 * engine is tested against bit for bit. Same scales, zero points, rounding and multipliers:
 * <pre>
 *   q_in  = Quantizer.quantize(x)                                  (uint8 affine, rint)
 *   acc   = (q_in - Z_in) . q_w + bias_q                            (ND4J mmul / conv2d on Z_in-shifted input, zero padded)
 *   t     = floor((acc M0 + 2^30) / 2^31)                           (SaturatingRoundingDoublingHighMul, M0 >= 0)
 *   u     = sign(t) floor(|t| / 2^n + 1/2)                          (RoundingDivideByPOT: ties away from 0)
 *   q_out = clamp(u + Z_out, lo, hi),   max pooling as a max over strided slices
 * </pre>
 * Float64 represents every intermediate exactly: {@code |acc| < 2^31}; the product {@code acc M0}
 * (up to 2^62) is never formed: with {@code M0 = 2^16 M_hi + M_lo} and
 * {@code acc M_hi = 2^15 a + r} ({@code 0 <= r < 2^15}),
 * {@code floor((acc M0 + 2^30) / 2^31) = a + floor((2^16 r + acc M_lo + 2^30) / 2^31)}, where every
 * term stays below 2^53. (Fake quantization in the usual QAT sense, {@code s (q - Z)} in float32,
 * would not reproduce the fixed-point rounding of {@code M0, n}; this simulation does.)
 */
public final class FakeQuantSimulation {
    private static final double TWO_15 = 1 << 15;
    private static final double TWO_16 = 1 << 16;
    private static final double TWO_30 = 1 << 30;
    private static final double TWO_31 = 2.0 * (1 << 30);

    private final IntModel model;

    public FakeQuantSimulation(IntModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        this.model = model;
    }

    /** Output codes {@code [n, outputLength]} (DOUBLE, integer values in [0, 255]). */
    public INDArray outputCodes(INDArray features) {
        List<INDArray> all = layerCodes(features);
        return all.get(all.size() - 1);
    }

    /** Dequantized logits {@code s_out (q - Z_out)}, FLOAT {@code [n, outputLength]}. */
    public INDArray logits(INDArray features) {
        return outputCodes(features).sub(model.outZeroPoint()).muli(model.outScale()).castTo(DataType.FLOAT);
    }

    /** The codes after every layer, each flattened to {@code [n, layer.outputLength()]} (DOUBLE). */
    public List<INDArray> layerCodes(INDArray features) {
        long n = features.size(0);
        if (features.length() != n * model.inputLength()) {
            throw new IllegalArgumentException("expected " + model.inputLength() + " features per row, got shape "
                    + java.util.Arrays.toString(features.shape()));
        }
        INDArray x = features.castTo(DataType.DOUBLE).reshape('c', n, model.inputLength());
        INDArray q = Quantizer.quantize(x, QParams.perTensor(model.inScale(), model.inZeroPoint()), QuantSpec.uint8Activations())
                .castTo(DataType.DOUBLE);
        int[] shape = model.inputShape();
        if (shape.length == 3) {
            q = q.reshape('c', n, shape[0], shape[1], shape[2]);
        }
        List<INDArray> out = new ArrayList<>();
        for (IntLayer l : model.layers()) {
            if (l instanceof IntDense d) {
                q = dense(q.reshape('c', n, d.depth), d);
            } else if (l instanceof IntConv2d c) {
                q = conv(q.reshape('c', n, c.inC, c.inH, c.inW), c);
            } else if (l instanceof IntMaxPool2d p) {
                q = maxPool(q.reshape('c', n, p.channels, p.inH, p.inW), p);
            }
            out.add(q.dup('c').reshape('c', n, l.outputLength()));
        }
        return out;
    }

    private static INDArray dense(INDArray q, IntDense d) {
        INDArray w = Nd4j.create(toDoubles(d.weights), new long[] {d.outChannels, d.depth}, 'c').transpose();
        INDArray acc = q.sub(d.inZeroPoint).mmul(w);
        acc.addiRowVector(Nd4j.createFromArray(toDoubles(d.bias)));
        return requantize(acc, d);
    }

    private static INDArray conv(INDArray q, IntConv2d c) {
        INDArray x = q.sub(c.inZeroPoint);
        int padBottom = Math.max(0, c.padBottom());
        int padRight = Math.max(0, c.padRight());
        if (c.padTop > 0 || c.padLeft > 0 || padBottom > 0 || padRight > 0) {
            x = Nd4j.pad(x, new int[][] {{0, 0}, {0, 0}, {c.padTop, padBottom}, {c.padLeft, padRight}});
        }
        INDArray w = Nd4j.create(toDoubles(c.weights), new long[] {c.outChannels, c.inC, c.kH, c.kW}, 'c');
        Conv2DConfig cfg = Conv2DConfig.builder().kH(c.kH).kW(c.kW).sH(c.strideH).sW(c.strideW).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
        INDArray acc = Nd4j.cnn().conv2d(x, w, cfg);
        acc = acc.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, c.outH), NDArrayIndex.interval(0, c.outW))
                .dup('c');
        Broadcast.add(acc, Nd4j.createFromArray(toDoubles(c.bias)), acc, 1);
        return requantize(acc, c);
    }

    private static INDArray maxPool(INDArray q, IntMaxPool2d p) {
        INDArray best = null;
        for (int ky = 0; ky < p.kH; ky++) {
            for (int kx = 0; kx < p.kW; kx++) {
                INDArrayIndex rows = NDArrayIndex.interval(ky, p.strideH, ky + (long) p.strideH * (p.outH - 1) + 1);
                INDArrayIndex cols = NDArrayIndex.interval(kx, p.strideW, kx + (long) p.strideW * (p.outW - 1) + 1);
                INDArray slice = q.get(NDArrayIndex.all(), NDArrayIndex.all(), rows, cols).dup('c');
                best = best == null ? slice : Transforms.max(best, slice, false);
            }
        }
        return best;
    }

    /** The fixed-point requantization of {@link WeightedLayer}, channel along dimension 1. */
    private static INDArray requantize(INDArray acc, WeightedLayer l) {
        int channels = l.outChannels;
        double[] mHi = new double[channels];
        double[] mLo = new double[channels];
        double[] pot = new double[channels];
        for (int o = 0; o < channels; o++) {
            mHi[o] = l.m0[o] >>> 16;
            mLo[o] = l.m0[o] & 0xFFFF;
            pot[o] = Math.scalb(1.0, -l.shift[o]);
        }
        INDArray a = perChannel(acc, mHi);                                // acc * M_hi, exact (< 2^46)
        INDArray qa = Transforms.floor(a.div(TWO_15), false);             // a = 2^15 qa + r
        INDArray r = a.sub(qa.mul(TWO_15));
        INDArray b = perChannel(acc, mLo);                                // acc * M_lo, exact (< 2^47)
        INDArray inner = r.muli(TWO_16).addi(b).addi(TWO_30);
        INDArray t = qa.addi(Transforms.floor(inner.divi(TWO_31), false)); // SRDHM(acc, M0)
        INDArray v = perChannel(t, pot);                                   // t / 2^n, exact
        INDArray u = Transforms.floor(Transforms.abs(v, true).addi(0.5), false).muli(Transforms.sign(v, true)); // ties away from 0
        u.addi(l.outZeroPoint);
        Transforms.max(u, l.lo, false);
        Transforms.min(u, l.hi, false);
        return u;
    }

    private static INDArray perChannel(INDArray x, double[] v) {
        INDArray out = x.dup('c');
        Broadcast.mul(out, Nd4j.createFromArray(v), out, 1);
        return out;
    }

    private static double[] toDoubles(byte[] b) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        return d;
    }

    private static double[] toDoubles(int[] b) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        return d;
    }
}
