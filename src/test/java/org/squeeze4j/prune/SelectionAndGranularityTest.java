package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Selections and granularities on arrays small enough to check by hand. */
class SelectionAndGranularityTest {
    static INDArray arr(float... v) {
        return Nd4j.create(v, new long[] {v.length}, 'c');
    }

    static float[] vec(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').reshape(a.length()).toFloatVector();
    }

    @Test
    void sparsityPrunesExactlyTheLowestAndBreaksTiesByPosition() {
        INDArray s = arr(0.5f, 0.1f, 0.3f, 0.1f, 0.9f);
        // 40 % of 5 = 2 pruned: the two 0.1s
        assertArrayEquals(new float[] {1, 0, 1, 0, 1}, vec(Selection.sparsity(0.4).keep(s, s)));
        // 20 % = 1 pruned: of the tied 0.1s the later one goes (the earlier one ranks higher)
        assertArrayEquals(new float[] {1, 1, 1, 0, 1}, vec(Selection.sparsity(0.2).keep(s, s)));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1}, vec(Selection.sparsity(0).keep(s, s)));
    }

    @Test
    void thresholdRules() {
        INDArray w = arr(-2f, 1f, -0.5f, 0.25f, 4f);
        INDArray s = Transforms.abs(w, true);
        assertArrayEquals(new float[] {1, 1, 0, 0, 1}, vec(Selection.threshold(1.0).keep(s, w)));
        // alpha * max|w| = 0.3 * 4 = 1.2
        assertArrayEquals(new float[] {1, 0, 0, 0, 1}, vec(Selection.fractionOfMax(0.3).keep(s, w)));
        // std of w (DL4J: sample std, n-1): mean 0.55, squares of deviations 6.5025+0.2025+1.1025+0.09+11.9025=19.8 -> var 4.95, std 2.2249
        // quality 0.5 -> threshold 1.1124: keeps |-2| and |4|
        assertArrayEquals(new float[] {1, 0, 0, 0, 1}, vec(Selection.stdQuality(0.5).keep(s, w)));
        assertArrayEquals(new float[] {1, 1, 0, 0, 1}, vec(Selection.stdQuality(0.4).keep(s, w)));
    }

    @Test
    void badSelectionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Selection.sparsity(1.0));
        assertThrows(IllegalArgumentException.class, () -> Selection.sparsity(-0.1));
        assertThrows(IllegalArgumentException.class, () -> Selection.sparsity(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Selection.fractionOfMax(1.5));
        assertThrows(IllegalArgumentException.class, () -> Selection.stdQuality(-1));
    }

    @Test
    void twoOfFourKeepsTheTwoLargestOfEveryFourInputsPerOutput() {
        // dense W[nIn=4, nOut=2]; column 0 = (1, -3, 2, 0.5), column 1 = (4, 0.1, -0.2, 5)
        INDArray w = Nd4j.create(new float[][] {{1, 4}, {-3, 0.1f}, {2, -0.2f}, {0.5f, 5}});
        INDArray mask = Granularity.nOfM(2, 4).mask(w, Transforms.abs(w, true), null);
        assertArrayEquals(new float[][] {{0, 1}, {1, 0}, {1, 0}, {0, 1}}, mask.toFloatMatrix());
    }

    @Test
    void nOfMThatDoesNotDivideTheLayerIsAClearError() {
        INDArray w = Nd4j.rand(DataType.FLOAT, 6, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Granularity.nOfM(2, 4).mask(w, w, null));
        assertTrue(e.getMessage().contains("multiple of 4") && e.getMessage().contains("6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Granularity.nOfM(5, 4));
    }

    @Test
    void nOfMOnConvolutionGroupsInputChannels() {
        INDArray w = Nd4j.rand(DataType.FLOAT, 3, 8, 2, 2); // [cOut, cIn, kH, kW]
        INDArray mask = Granularity.nOfM(1, 4).mask(w, Transforms.abs(w, true), null);
        assertArrayEquals(w.shape(), mask.shape());
        assertEquals(w.length() / 4, mask.sumNumber().longValue());
        // for one output and one kernel position, exactly 1 of input channels 0-3 survives
        assertEquals(1.0, mask.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(1)).sumNumber().doubleValue(), 0);
    }

    @Test
    void outputUnitsPruneWholeColumnsByNorm() {
        // column L1 norms: 3, 0.5, 6 -> prune the middle unit at sparsity 1/3
        INDArray w = Nd4j.create(new float[][] {{1, 0.25f, -3}, {-2, 0.25f, 3}});
        INDArray mask = Granularity.outputUnits(Granularity.Norm.L1).mask(w, Transforms.abs(w, true), Selection.sparsity(1.0 / 3));
        assertArrayEquals(new float[][] {{1, 0, 1}, {1, 0, 1}}, mask.toFloatMatrix());
    }

    @Test
    void outputRowsRoundTrip() {
        INDArray conv = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 5);
        assertEquals(conv, Granularity.fromOutputRows(Granularity.asOutputRows(conv), conv.shape()));
        INDArray dense = Nd4j.rand(DataType.FLOAT, 7, 3);
        assertEquals(dense, Granularity.fromOutputRows(Granularity.asOutputRows(dense), dense.shape()));
    }
}
