package org.squeeze4j.quant.qat.bench;

import org.squeeze4j.lower.QatConversion;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.engine.FixedPoint;
import org.squeeze4j.engine.IntDense;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.IntRunner;
import org.squeeze4j.engine.Kernels;
import org.squeeze4j.engine.QuantizedMultiplier;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.quant.qat.QatConfig;
import org.squeeze4j.quant.qat.QatControl;
import org.squeeze4j.quant.qat.QatPreparation;

/**
 * Harness (not a test): where a converted W4A4 LeNet-300-100 (the network of
 * {@code QatConversionTest}: calibrated on 1,000 images, 4 QAT steps) differs from its fake-quant
 * network, on the 10,000 test images. The converted model's parameters are run with three
 * arithmetics, each with the upper clamp {@code hi} and without it (255):
 * <pre>
 *   engine   acc + int32 bias, gemmlowp SRDHM then RoundingDivideByPOT (two roundings; equals IntModel)
 *   single   acc + int32 bias, one rounding: (x M0 + 2^(30+n)) >> (31+n) in 64 bits
 *   exact    s_in s_w acc + float bias, rint(a / s_out) in float64 (what the fake-quant network computes)
 * </pre>
 * and the last layer's codes are compared with the fake-quant logits' codes. Dense-only networks.
 */
public final class W4A4ConversionGap {
    private enum Arithmetic { ENGINE, SINGLE, EXACT }

    public static void main(String[] args) {
        DatasetSplits mnist = Datasets.mnist();
        MultiLayerNetwork q = QatPreparation.prepare(ReferenceModel.LENET_300_100.pretrained(), QatConfig.of(4, 4));
        QatControl.calibrate(q, mnist.train().subset(1000, 42).toDataSet().getFeatures());
        q.fit(mnist.train().subset(512, 3).shuffledIterator(128, 1));
        IntModel m = QatConversion.toIntModel(q);
        INDArray x = mnist.test().toDataSet().getFeatures();
        int n = (int) x.size(0);
        IntRunner r = m.runner(n, Kernels.best());
        byte[] in = r.quantize(x.castTo(DataType.FLOAT).ravel().toFloatVector(), n).clone();
        int[] engine = new int[n * m.outputLength()];
        byte[] out = r.runCodes(in.clone(), n);
        for (int i = 0; i < engine.length; i++) {
            engine[i] = out[i] & 0xFF;
        }
        int[] fq = Transforms.round(QatControl.logits(q, x).castTo(DataType.DOUBLE).div(m.outScale()), false)
                .addi(m.outZeroPoint()).ravel().toIntVector();
        System.out.println(m);
        for (boolean clamp : new boolean[] {false, true}) {
            for (Arithmetic a : Arithmetic.values()) {
                int[] codes = run(m, q, in, n, a, clamp);
                int k = m.outputLength();
                int same = 0;
                int maxDiff = 0;
                int agree = 0;
                int sameEngine = 0;
                double meanDiff = 0;
                for (int s = 0; s < n; s++) {
                    int am = 0;
                    int af = 0;
                    for (int c = 0; c < k; c++) {
                        int i = s * k + c;
                        int d = Math.abs(codes[i] - fq[i]);
                        same += d == 0 ? 1 : 0;
                        maxDiff = Math.max(maxDiff, d);
                        meanDiff += d;
                        sameEngine += codes[i] == engine[i] ? 1 : 0;
                        am = codes[i] > codes[s * k + am] ? c : am;
                        af = fq[i] > fq[s * k + af] ? c : af;
                    }
                    agree += am == af ? 1 : 0;
                }
                System.out.println(String.format(Locale.ROOT,
                        "hi %-5s %-6s: logit codes equal to the fake-quant network's %.5f, max diff %d, mean %.4f steps,"
                                + " argmax agreement %.4f (codes equal to IntModel's %.5f)",
                        clamp ? "2^b-1" : "255", a.name().toLowerCase(Locale.ROOT), same / (double) (n * k), maxDiff,
                        meanDiff / (n * k), agree / (double) n, sameEngine / (double) (n * k)));
            }
        }
    }

    private static int[] run(IntModel m, MultiLayerNetwork q, byte[] input, int n, Arithmetic arithmetic, boolean clamp) {
        int[] cur = new int[input.length];
        for (int i = 0; i < cur.length; i++) {
            cur[i] = input[i] & 0xFF;
        }
        for (int j = 0; j < m.layers().size(); j++) {
            IntDense l = (IntDense) m.layers().get(j);
            int nIn = l.depth();
            int nOut = l.outChannels();
            byte[] w = l.weights();
            int[] bias = l.bias();
            double[] floatBias = q.getLayer(j + 1).getParam("b").castTo(DataType.DOUBLE).toDoubleVector();
            int hi = clamp ? l.hi() : 255;
            int[] next = new int[n * nOut];
            for (int s = 0; s < n; s++) {
                for (int o = 0; o < nOut; o++) {
                    long dot = 0;                                  // sum (q_in - Z_in) q_w
                    for (int k = 0; k < nIn; k++) {
                        dot += (long) (cur[s * nIn + k] - l.inZeroPoint()) * w[o * nIn + k];
                    }
                    QuantizedMultiplier qm = l.multiplier(o);
                    long v = switch (arithmetic) {
                        case ENGINE -> FixedPoint.multiplyByQuantizedMultiplier(Math.toIntExact(dot + bias[o]), qm.m0(), qm.shift());
                        case SINGLE -> {
                            int sh = 31 + qm.shift();
                            yield ((dot + bias[o]) * qm.m0() + (1L << (sh - 1))) >> sh;
                        }
                        case EXACT -> (long) Math.rint((l.inScale() * l.weightScales()[o] * dot + floatBias[o]) / l.outScale());
                    };
                    next[s * nOut + o] = (int) Math.max(l.lo(), Math.min(hi, v + l.outZeroPoint()));
                }
            }
            cur = next;
        }
        return cur;
    }
}
