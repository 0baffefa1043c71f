package org.squeeze4j.quant.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Divergences of two-point distributions by hand. */
class DivergenceTest {
    private static final double[] P = {0.5, 0.5};
    private static final double[] Q = {0.25, 0.75};

    @Test
    void klOfTwoPointDistributions() {
        // .5 ln(.5/.25) + .5 ln(.5/.75) = .5 ln 2 + .5 ln(2/3) = .5 ln(4/3)
        assertEquals(0.5 * Math.log(4.0 / 3), Divergence.KL.between(P, Q), 1e-15);
        assertEquals(0, Divergence.KL.between(P, P), 0);
        assertEquals(Double.POSITIVE_INFINITY, Divergence.KL.between(P, new double[] {1, 0}));
        // zero entries of P contribute nothing
        assertEquals(Math.log(2), Divergence.KL.between(new double[] {1, 0}, P), 1e-15);
    }

    @Test
    void symmetricKlAddsBothDirections() {
        // KL(Q||P) = .25 ln(.25/.5) + .75 ln(.75/.5) = -.25 ln 2 + .75 ln 1.5
        double klqp = -0.25 * Math.log(2) + 0.75 * Math.log(1.5);
        assertEquals(0.5 * Math.log(4.0 / 3) + klqp, Divergence.SYMMETRIC_KL.between(P, Q), 1e-15);
        assertEquals(Divergence.SYMMETRIC_KL.between(P, Q), Divergence.SYMMETRIC_KL.between(Q, P), 1e-15);
    }

    @Test
    void jensenShannonIsBoundedAndSymmetric() {
        // M = [.375, .625]: (.5 ln(.5/.375) + .5 ln(.5/.625)) / 2 + (.25 ln(.25/.375) + .75 ln(.75/.625)) / 2
        double expected = (0.5 * Math.log(0.5 / 0.375) + 0.5 * Math.log(0.5 / 0.625)) / 2
                + (0.25 * Math.log(0.25 / 0.375) + 0.75 * Math.log(0.75 / 0.625)) / 2;
        assertEquals(0.033822075568605205, expected, 1e-15);
        assertEquals(expected, Divergence.JENSEN_SHANNON.between(P, Q), 1e-15);
        assertEquals(expected, Divergence.JENSEN_SHANNON.between(Q, P), 1e-15);
        // disjoint supports: exactly ln 2 (finite, unlike KL)
        assertEquals(Math.log(2), Divergence.JENSEN_SHANNON.between(new double[] {1, 0}, new double[] {0, 1}), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Divergence.KL.between(P, new double[] {1}));
    }
}
