package org.squeeze4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Golden values computed by hand, rounding conventions and bad inputs. */
class QuantizerTest {

    @Test
    void affineUint8GoldenValues() {
        // r = [-1, 0, 0.5, 2], uint8 affine: min = -1, max = 2, s = 3/255 = 1/85, z = 0 - rint(-1 * 85) = 85
        // q = clip(rint(r * 85 + 85)):  -85 + 85 = 0;  0 + 85 = 85;  42.5 + 85 = 127.5 -> 128 (tie, to even);  170 + 85 = 255
        // r_hat = (q - 85) / 85:  -1;  0;  43/85 = 0.50588235...;  2      (0.5 is off by 0.5/85 = s/2 exactly)
        INDArray r = Nd4j.createFromArray(-1.0f, 0.0f, 0.5f, 2.0f);
        QuantSpec spec = QuantSpec.uint8Activations();
        QParams p = QParams.fromRange(spec, -1, 2);
        assertEquals(85, p.zeroPoint());
        INDArray q = Quantizer.quantize(r, p, spec);
        assertEquals(DataType.INT32, q.dataType());
        assertArrayEquals(new int[] {0, 85, 128, 255}, q.toIntVector());
        INDArray back = Quantizer.dequantize(q, p, spec);
        assertEquals(DataType.FLOAT, back.dataType());
        assertArrayEquals(new float[] {-1f, 0f, (float) (43.0 / 85), 2f}, back.toFloatVector(), 0f);
        assertArrayEquals(back.toFloatVector(), Quantizer.fakeQuantize(r, p, spec).toFloatVector(), 0f);
    }

    @Test
    void signedSymmetricInt8GoldenValues() {
        // r = [-1, 0.25, 1], int8 symmetric full range: s = 1 / 127.5, z = 0
        // r / s = [-127.5, 31.875, 127.5] -> rint [-128 (tie, even), 32, 128] -> clip [-128, 32, 127]
        // r_hat = q / 127.5 = [-1.00392157, 0.25098039, 0.99607843]; the clipped +1 is off by 0.5/127.5 = s/2
        INDArray r = Nd4j.createFromArray(-1.0f, 0.25f, 1.0f);
        QuantSpec spec = QuantSpec.symmetric(8);
        QParams p = QParams.fromRange(spec, -1, 1);
        assertArrayEquals(new int[] {-128, 32, 127}, Quantizer.quantize(r, p, spec).toIntVector());
        assertArrayEquals(new float[] {(float) (-128 / 127.5), (float) (32 / 127.5), (float) (127 / 127.5)},
                Quantizer.fakeQuantize(r, p, spec).toFloatVector(), 0f);
    }

    @Test
    void perChannelDenseWeightAlongOutputAxis() {
        // DL4J dense W is [nIn=2, nOut=3]; per output neuron = axis 1. int4 narrow symmetric: codes [-7, 7], s_c = max|W[:, c]| / 7
        //   column 0 = [1.75, -0.5]: s = 0.25, q = [7, -2]
        //   column 1 = [-3.5, 1.25]: s = 0.5,  q = [-7, 2.5 -> 2 (tie, even)], r_hat = [-3.5, 1.0]
        //   column 2 = [0, 0]:       s = EPS,  q = [0, 0]
        INDArray w = Nd4j.createFromArray(new float[][] {{1.75f, -3.5f, 0f}, {-0.5f, 1.25f, 0f}});
        QuantSpec spec = QuantSpec.symmetric(4).withNarrowRange(true).perChannel(1);
        QParams p = QParams.fromRanges(spec, new double[] {-0.5, -3.5, 0}, new double[] {1.75, 1.25, 0});
        assertArrayEquals(new double[] {0.25, 0.5, QParams.EPS}, p.scales(), 0);
        INDArray q = Quantizer.quantize(w, p, spec);
        assertArrayEquals(new int[][] {{7, -7, 0}, {-2, 2, 0}}, q.toIntMatrix());
        assertArrayEquals(new float[][] {{1.75f, -3.5f, 0f}, {-0.5f, 1.0f, 0f}}, Quantizer.fakeQuantize(w, p, spec).toFloatMatrix());
    }

    @Test
    void perChannelConvWeightAlongAxisZero() {
        // conv W [out=2, in=1, kh=1, kw=2]; channel 0 has s = 1, channel 1 has s = 0.5 (4-bit affine signed, z = 0 given)
        INDArray w = Nd4j.createFromArray(new float[] {1.4f, -2.6f, 1.4f, -2.6f}).reshape(2, 1, 1, 2);
        QuantSpec spec = QuantSpec.affine(4, true).perChannel(0);
        QParams p = new QParams(new double[] {1.0, 0.5}, new int[] {0, 0}, 0);
        // channel 0: rint([1.4, -2.6]) = [1, -3]; channel 1: rint([2.8, -5.2]) = [3, -5]
        assertArrayEquals(new int[] {1, -3, 3, -5}, Quantizer.quantize(w, p, spec).ravel().toIntVector());
    }

    @Test
    void sixteenBitAndOneBitGrids() {
        // uint16 affine on [0, 65535]: s = 1, z = 0, so codes are the rounded values themselves, up to 65535 in INT32
        QuantSpec u16 = QuantSpec.affine(16, false);
        QParams p16 = QParams.fromRange(u16, 0, 65535);
        INDArray big = Nd4j.createFromArray(0.2, 40000.4, 65535.0, 70000.0);
        assertArrayEquals(new int[] {0, 40000, 65535, 65535}, Quantizer.quantize(big, p16, u16).toIntVector());
        // 1-bit unsigned symmetric on [0, 1]: s = 1 / (1 - 0) = 1, values {0, 1}; 0.5 is a tie and goes to 0 (even)
        QuantSpec b1 = QuantSpec.symmetric(1, false);
        QParams p1 = QParams.fromRange(b1, 0, 1);
        INDArray r = Nd4j.createFromArray(0.4, 0.5, 0.6, 3.0, -2.0);
        assertArrayEquals(new int[] {0, 0, 1, 1, 0}, Quantizer.quantize(r, p1, b1).toIntVector());
        // 1-bit affine signed on [-1, 0]: codes {-1, 0}, s = 1, z = -1 - rint(-1 / 1) = 0: values {-1, 0}
        QuantSpec a1 = QuantSpec.affine(1, true);
        QParams pa = QParams.fromRange(a1, -1, 0);
        assertEquals(0, pa.zeroPoint());
        INDArray r1 = Nd4j.createFromArray(-0.9f, -0.2f, 0.7f);
        assertArrayEquals(new float[] {-1f, 0f, 0f}, Quantizer.fakeQuantize(r1, pa, a1).toFloatVector(), 0f);
    }

    @Test
    void roundingIsHalfToEven() {
        INDArray r = Nd4j.createFromArray(0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994);
        QuantSpec spec = QuantSpec.symmetric(8);
        assertArrayEquals(new int[] {0, 2, 2, 0, -2, -2, 0}, Quantizer.quantize(r, QParams.perTensor(1.0, 0), spec).toIntVector());
    }

    @Test
    void valuesOutsideTheGridAreClipped() {
        QuantSpec spec = QuantSpec.affine(2, false); // codes 0..3
        INDArray r = Nd4j.createFromArray(-5f, 0f, 1f, 100f);
        assertArrayEquals(new int[] {0, 1, 2, 3}, Quantizer.quantize(r, QParams.perTensor(1.0, 1), spec).toIntVector());
    }

    @Test
    void allZeroTensorRoundTripsToZeroWithoutNaN() {
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, 3, 4);
        for (QuantSpec spec : new QuantSpec[] {QuantSpec.symmetric(8), QuantSpec.uint8Activations(), QuantSpec.affine(2, true)}) {
            QParams p = QParams.fromRange(spec, 0, 0);
            INDArray fq = Quantizer.fakeQuantize(zeros, p, spec);
            assertEquals(zeros, fq, spec::toString);
        }
    }

    @Test
    void fakeQuantizeKeepsTheInputTypeAndDoesNotModifyTheInput() {
        INDArray r = Nd4j.createFromArray(0.3, -0.7);
        INDArray copy = r.dup();
        QuantSpec spec = QuantSpec.symmetric(8);
        INDArray fq = Quantizer.fakeQuantize(r, QParams.fromRange(spec, -1, 1), spec);
        assertEquals(DataType.DOUBLE, fq.dataType());
        assertEquals(copy, r);
        INDArray view = Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}}).getColumn(1);
        assertArrayEquals(new int[] {2, 5}, Quantizer.quantize(view, QParams.perTensor(1, 0), spec).toIntVector());
    }

    @Test
    void nanAndInfinityAreReportedWithTheirIndex() {
        QuantSpec spec = QuantSpec.symmetric(8);
        QParams p = QParams.perTensor(0.1, 0);
        INDArray r = Nd4j.zeros(DataType.FLOAT, 4, 5);
        r.putScalar(new long[] {2, 3}, Float.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(r, p, spec));
        assertTrue(e.getMessage().startsWith("input contain NaN at index [2, 3] (flat index 13 of 20)"), e.getMessage());
        r.putScalar(new long[] {2, 3}, 0);
        r.putScalar(new long[] {0, 1}, Float.NEGATIVE_INFINITY);
        e = assertThrows(IllegalArgumentException.class, () -> Quantizer.fakeQuantize(r, p, spec));
        assertTrue(e.getMessage().contains("-Infinity at index [0, 1]"), e.getMessage());
        INDArray w = Nd4j.createFromArray(1f, Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> Finite.require(w, "weights"));
        assertTrue(e.getMessage().startsWith("weights contain NaN at index [1]"), e.getMessage());
    }

    @Test
    void shapeAndAxisMismatchesAreReported() {
        INDArray w = Nd4j.zeros(DataType.FLOAT, 4, 3);
        QuantSpec spec = QuantSpec.symmetric(8).perChannel(1);
        QParams four = QParams.fromRanges(spec, new double[4], new double[4]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(w, four, spec));
        assertTrue(e.getMessage().contains("has 3 channels along axis 1 but qparams have 4 scales"), e.getMessage());

        QuantSpec axis2 = QuantSpec.symmetric(8).perChannel(2);
        QParams p2 = QParams.fromRanges(axis2, new double[3], new double[3]);
        e = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(w, p2, axis2));
        assertTrue(e.getMessage().contains("axis 2 is out of range"), e.getMessage());

        QParams perTensor = QParams.perTensor(1, 0);
        e = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(w, perTensor, spec));
        assertTrue(e.getMessage().contains("qparams axis -1 does not match spec"), e.getMessage());
    }

    @Test
    void zeroPointsMustFitTheSpec() {
        INDArray r = Nd4j.ones(DataType.FLOAT, 2);
        assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantize(r, QParams.perTensor(1, 300), QuantSpec.uint8Activations()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantize(r, QParams.perTensor(1, 3), QuantSpec.symmetric(8)));
        assertTrue(e.getMessage().contains("needs zero point 0"), e.getMessage());
    }

    @Test
    void dequantizeRejectsCodesOutsideTheGrid() {
        QuantSpec spec = QuantSpec.symmetric(4); // [-8, 7]
        QParams p = QParams.perTensor(1, 0);
        assertThrows(IllegalArgumentException.class, () -> Quantizer.dequantize(Nd4j.createFromArray(0, 9), p, spec));
        assertThrows(IllegalArgumentException.class, () -> Quantizer.dequantize(Nd4j.createFromArray(0.5f), p, spec));
        assertArrayEquals(new float[] {-8f, 7f}, Quantizer.dequantize(Nd4j.createFromArray(-8, 7), p, spec).toFloatVector(), 0f);
    }

    @Test
    void emptyInputIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantize(Nd4j.create(DataType.FLOAT, 0), QParams.perTensor(1, 0), QuantSpec.symmetric(8)));
    }

    @Test
    void scalarFakeQuantizeMatchesTheArrayVersion() {
        QuantSpec spec = QuantSpec.affine(3, false);
        QParams p = QParams.fromRange(spec, -0.3, 1.1);
        double[] r = {-0.4, -0.3, 0.0, 0.17, 0.55, 1.1, 2.0};
        double[] arr = Quantizer.fakeQuantize(Nd4j.createFromArray(r), p, spec).toDoubleVector();
        for (int i = 0; i < r.length; i++) {
            assertEquals(arr[i], Quantizer.fakeQuantize(r[i], p.scale(), p.zeroPoint(), spec.qmin(), spec.qmax()), 0);
        }
    }
}
