package org.squeeze4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Half-precision round trips against values worked out bit by bit. */
class CastsTest {

    @Test
    void oneThirdInFp16AndBf16() {
        // 1/3 = 1.0101...b x 2^-2. fp16 keeps 10 mantissa bits: 1.0101010101b x 2^-2 = 1365/4096 = 0.333251953125
        //   (the next bit is 0, so it rounds down). bf16 keeps 7: 1.0101010b|1... rounds up to 1.0101011b x 2^-2
        //   = 171/512 = 0.333984375
        INDArray x = Nd4j.createFromArray(1.0f / 3);
        assertEquals(0.333251953125, Casts.toFp16AndBack(x).getDouble(0), 0);
        assertEquals(0.333984375, Casts.toBf16AndBack(x).getDouble(0), 0);
        assertEquals(1365.0 / 4096, Casts.toFp16AndBack(x.castTo(DataType.DOUBLE)).getDouble(0), 0);
    }

    @Test
    void exactValuesSurviveAndTiesGoToEven() {
        // fp16 step at 2048 is 2: 2049 is a tie between 2048 and 2050 -> 2048 (even mantissa); 2051 -> 2052
        // bf16 step at 256 is 2: 257 -> 256, 259 -> 260
        INDArray x = Nd4j.createFromArray(0.5f, -3f, 2049f, 2051f);
        assertArrayEquals(new float[] {0.5f, -3f, 2048f, 2052f}, Casts.toFp16AndBack(x).toFloatVector(), 0f);
        INDArray y = Nd4j.createFromArray(0.5f, -3f, 257f, 259f);
        assertArrayEquals(new float[] {0.5f, -3f, 256f, 260f}, Casts.toBf16AndBack(y).toFloatVector(), 0f);
    }

    @Test
    void fp16OverflowsWhereBf16DoesNot() {
        INDArray x = Nd4j.createFromArray(65504f, 1e5f);
        float[] h = Casts.toFp16AndBack(x).toFloatVector();
        assertEquals(65504f, h[0], 0f);
        assertTrue(Float.isInfinite(h[1]));
        // bf16 of 1e5: 100000 = 1.52587890625 x 2^16, 7 bits -> 1.5234375 x 2^16 = 99840
        assertEquals(99840f, Casts.toBf16AndBack(x).getFloat(1), 0f);
    }

    @Test
    void resultIsANewArrayAndBadInputIsRejected() {
        INDArray x = Nd4j.createFromArray(1f, 2f);
        assertNotSame(x, Casts.toFp16AndBack(x));
        assertThrows(IllegalArgumentException.class, () -> Casts.toFp16AndBack(Nd4j.createFromArray(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> Casts.toBf16AndBack(Nd4j.createFromArray(Float.NaN)));
    }
}
