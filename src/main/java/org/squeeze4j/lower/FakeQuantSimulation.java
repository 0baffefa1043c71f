package org.squeeze4j.lower;

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
import org.squeeze4j.engine.IntAdd;
import org.squeeze4j.engine.IntConv2d;
import org.squeeze4j.engine.IntDense;
import org.squeeze4j.engine.IntDepthwiseConv2d;
import org.squeeze4j.engine.IntGlobalAvgPool;
import org.squeeze4j.engine.IntLayer;
import org.squeeze4j.engine.IntMaxPool2d;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.QuantizedMultiplier;
import org.squeeze4j.engine.WeightedLayer;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;

/**
 * The same integer pipeline as {@link IntModel}, simulated in floating point with ND4J (float64
 * arrays holding integer values), written independently of the engine's loops: the reference the
 * engine is tested against bit for bit. Same scales, zero points, rounding and multipliers:
 * <pre>
 *   q_in  = Quantizer.quantize(x)                                  (uint8 affine, rint)
 *   acc   = (q_in - Z_in) . q_w + bias_q                            (ND4J mmul / conv2d / depthwise_conv2d on
 *                                                                    the Z_in-shifted input, zero padded)
 *   MBQM(acc, M0, n):
 *     t   = floor((acc M0 + 2^30) / 2^31)                           (SaturatingRoundingDoublingHighMul, M0 >= 0)
 *     u   = sign(t) floor(|t| / 2^n + 1/2)                          (RoundingDivideByPOT: ties away from 0)
 *   q_out = clamp(MBQM(acc) + Z_out, lo, hi),   max pooling as a max over strided slices
 *   add   = clamp(Z_out + MBQM(MBQM((q_a - Z_a) 2^20, M_a) + MBQM((q_b - Z_b) 2^20, M_b), M_out), lo, 255)
 *   gap   = clamp(Z_out + MBQM(sum_hw (q - Z_in), M), 0, 255)
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
        List<INDArray> tensors = new ArrayList<>();
        tensors.add(q);
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < model.layers().size(); i++) {
            IntLayer l = model.layers().get(i);
            int[] in = model.inputsOf(i);
            INDArray t = tensors.get(in[0]);
            INDArray y;
            if (l instanceof IntDense d) {
                y = dense(t.reshape('c', n, d.depth()), d);
            } else if (l instanceof IntConv2d c) {
                y = conv(t.reshape('c', n, c.inChannels(), c.inHeight(), c.inWidth()), c);
            } else if (l instanceof IntDepthwiseConv2d c) {
                y = depthwise(t.reshape('c', n, c.channels(), c.inHeight(), c.inWidth()), c);
            } else if (l instanceof IntMaxPool2d p) {
                y = maxPool(t.reshape('c', n, p.channels(), p.inHeight(), p.inWidth()), p);
            } else if (l instanceof IntGlobalAvgPool g) {
                y = globalAvgPool(t.reshape('c', n, g.channels(), (long) g.height() * g.width()), g);
            } else if (l instanceof IntAdd a) {
                y = add(t.reshape('c', n, a.inputLength()), tensors.get(in[1]).reshape('c', n, a.inputLength()), a);
            } else {
                throw new IllegalStateException("no simulation of " + l.describe());
            }
            tensors.add(y);
            out.add(y.dup('c').reshape('c', n, l.outputLength()));
        }
        return out;
    }

    private static INDArray dense(INDArray q, IntDense d) {
        INDArray w = Nd4j.create(toDoubles(d.weights()), new long[] {d.outChannels(), d.depth()}, 'c').transpose();
        INDArray acc = q.sub(d.inZeroPoint()).mmul(w);
        acc.addiRowVector(Nd4j.createFromArray(toDoubles(d.bias())));
        return requantize(acc, d);
    }

    private static INDArray conv(INDArray q, IntConv2d c) {
        INDArray x = pad(q.sub(c.inZeroPoint()), c.padTop(), c.padBottom(), c.padLeft(), c.padRight());
        INDArray w = Nd4j.create(toDoubles(c.weights()), new long[] {c.outChannels(), c.inChannels(), c.kernelHeight(),
                c.kernelWidth()}, 'c');
        Conv2DConfig cfg = Conv2DConfig.builder().kH(c.kernelHeight()).kW(c.kernelWidth()).sH(c.strideHeight())
                .sW(c.strideWidth()).pH(0).pW(0).dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat("NCHW")
                .weightsFormat(WeightsFormat.OIYX).build();
        INDArray acc = crop(Nd4j.cnn().conv2d(x, w, cfg), c.outHeight(), c.outWidth());
        Broadcast.add(acc, Nd4j.createFromArray(toDoubles(c.bias())), acc, 1);
        return requantize(acc, c);
    }

    /** Depthwise convolution as one conv2d per channel: exact in float64, and independent of the engine's loops. */
    private static INDArray depthwise(INDArray q, IntDepthwiseConv2d c) {
        INDArray x = pad(q.sub(c.inZeroPoint()), c.padTop(), c.padBottom(), c.padLeft(), c.padRight());
        int k = c.kernelHeight() * c.kernelWidth();
        double[] all = toDoubles(c.weights());
        Conv2DConfig cfg = Conv2DConfig.builder().kH(c.kernelHeight()).kW(c.kernelWidth()).sH(c.strideHeight())
                .sW(c.strideWidth()).pH(0).pW(0).dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat("NCHW")
                .weightsFormat(WeightsFormat.OIYX).build();
        INDArray[] planes = new INDArray[c.channels()];
        for (int ch = 0; ch < c.channels(); ch++) {
            INDArray w = Nd4j.create(java.util.Arrays.copyOfRange(all, ch * k, (ch + 1) * k),
                    new long[] {1, 1, c.kernelHeight(), c.kernelWidth()}, 'c');
            INDArray xc = x.get(NDArrayIndex.all(), NDArrayIndex.interval(ch, ch + 1), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
            planes[ch] = crop(Nd4j.cnn().conv2d(xc, w, cfg), c.outHeight(), c.outWidth());
        }
        INDArray acc = Nd4j.concat(1, planes);
        Broadcast.add(acc, Nd4j.createFromArray(toDoubles(c.bias())), acc, 1);
        return requantize(acc, c);
    }

    private static INDArray maxPool(INDArray q, IntMaxPool2d p) {
        INDArray best = null;
        for (int ky = 0; ky < p.kernelHeight(); ky++) {
            for (int kx = 0; kx < p.kernelWidth(); kx++) {
                INDArrayIndex rows = NDArrayIndex.interval(ky, p.strideHeight(), ky + (long) p.strideHeight() * (p.outHeight() - 1) + 1);
                INDArrayIndex cols = NDArrayIndex.interval(kx, p.strideWidth(), kx + (long) p.strideWidth() * (p.outWidth() - 1) + 1);
                INDArray slice = q.get(NDArrayIndex.all(), NDArrayIndex.all(), rows, cols).dup('c');
                best = best == null ? slice : Transforms.max(best, slice, false);
            }
        }
        return best;
    }

    /** Sums over positions, {@code q [n, C, HW]}. */
    private static INDArray globalAvgPool(INDArray q, IntGlobalAvgPool g) {
        INDArray sum = q.sub(g.inZeroPoint()).sum(2);
        INDArray u = multiply(sum, fill(g.channels(), g.multiplier()));
        return clamp(u.addi(g.outZeroPoint()), 0, 255);
    }

    private static INDArray add(INDArray a, INDArray b, IntAdd l) {
        int len = a.columns();
        double shift = 1 << IntAdd.LEFT_SHIFT;
        INDArray x = multiply(a.sub(l.zeroPointA()).muli(shift), fill(len, l.multiplierA()));
        INDArray y = multiply(b.sub(l.zeroPointB()).muli(shift), fill(len, l.multiplierB()));
        INDArray u = multiply(x.addi(y), fill(len, l.multiplierOut()));
        return clamp(u.addi(l.outZeroPoint()), l.lo(), 255);
    }

    private static INDArray pad(INDArray x, int top, int bottom, int left, int right) {
        int b = Math.max(0, bottom);
        int r = Math.max(0, right);
        if (top > 0 || left > 0 || b > 0 || r > 0) {
            return Nd4j.pad(x, new int[][] {{0, 0}, {0, 0}, {top, b}, {left, r}});
        }
        return x;
    }

    private static INDArray crop(INDArray acc, int outH, int outW) {
        return acc.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, outH), NDArrayIndex.interval(0, outW))
                .dup('c');
    }

    /** The fixed-point requantization of {@link WeightedLayer}, channel along dimension 1. */
    private static INDArray requantize(INDArray acc, WeightedLayer l) {
        QuantizedMultiplier[] m = new QuantizedMultiplier[l.outChannels()];
        for (int o = 0; o < m.length; o++) {
            m[o] = l.multiplier(o);
        }
        return clamp(multiply(acc, m).addi(l.outZeroPoint()), l.lo(), l.hi());
    }

    /** {@code MBQM(x, M0_c, n_c)} with channel {@code c} along dimension 1, exact for {@code |x| < 2^31}. */
    private static INDArray multiply(INDArray x, QuantizedMultiplier[] m) {
        int channels = m.length;
        double[] mHi = new double[channels];
        double[] mLo = new double[channels];
        double[] pot = new double[channels];
        for (int o = 0; o < channels; o++) {
            mHi[o] = m[o].m0() >>> 16;
            mLo[o] = m[o].m0() & 0xFFFF;
            pot[o] = Math.scalb(1.0, -m[o].shift());
        }
        INDArray a = perChannel(x, mHi);                                  // x * M_hi, exact (< 2^46)
        INDArray qa = Transforms.floor(a.div(TWO_15), false);             // a = 2^15 qa + r
        INDArray r = a.sub(qa.mul(TWO_15));
        INDArray b = perChannel(x, mLo);                                  // x * M_lo, exact (< 2^47)
        INDArray inner = r.muli(TWO_16).addi(b).addi(TWO_30);
        INDArray t = qa.addi(Transforms.floor(inner.divi(TWO_31), false)); // SRDHM(x, M0)
        INDArray v = perChannel(t, pot);                                   // t / 2^n, exact
        return Transforms.floor(Transforms.abs(v, true).addi(0.5), false).muli(Transforms.sign(v, true)); // ties away from 0
    }

    private static QuantizedMultiplier[] fill(int channels, QuantizedMultiplier m) {
        QuantizedMultiplier[] out = new QuantizedMultiplier[channels];
        java.util.Arrays.fill(out, m);
        return out;
    }

    private static INDArray clamp(INDArray u, int lo, int hi) {
        Transforms.max(u, lo, false);
        Transforms.min(u, hi, false);
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
