package org.squeeze4j.quant.observe;

/**
 * How far a candidate quantized distribution Q is from the reference P, for the entropy
 * calibration search of {@link EntropyObserver} (Migacz 2017 uses KL). Inputs are probability
 * vectors of equal length (non-negative, summing to 1); terms with a zero numerator count 0.
 * <pre>
 *   KL:              KL(P||Q)  = sum_i p_i ln(p_i / q_i)            (+inf if some q_i = 0 < p_i)
 *   SYMMETRIC_KL:    J(P, Q)   = KL(P||Q) + KL(Q||P)                 (Jeffreys divergence)
 *   JENSEN_SHANNON:  JS(P, Q)  = KL(P||M)/2 + KL(Q||M)/2, M = (P+Q)/2 (bounded by ln 2)
 * </pre>
 */
public enum Divergence {
    /** Kullback-Leibler divergence KL(P||Q) in nats. */
    KL {
        @Override
        public double between(double[] p, double[] q) {
            check(p, q);
            return kl(p, q);
        }
    },
    /** KL(P||Q) + KL(Q||P). */
    SYMMETRIC_KL {
        @Override
        public double between(double[] p, double[] q) {
            check(p, q);
            return kl(p, q) + kl(q, p);
        }
    },
    /** Jensen-Shannon divergence against the mixture M = (P + Q) / 2. */
    JENSEN_SHANNON {
        @Override
        public double between(double[] p, double[] q) {
            check(p, q);
            double[] m = new double[p.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = (p[i] + q[i]) / 2;
            }
            return kl(p, m) / 2 + kl(q, m) / 2;
        }
    };

    /** The divergence of Q from P (both probability vectors of the same length). */
    public abstract double between(double[] p, double[] q);

    static double kl(double[] p, double[] q) {
        double d = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                if (q[i] <= 0) {
                    return Double.POSITIVE_INFINITY;
                }
                d += p[i] * Math.log(p[i] / q[i]);
            }
        }
        return d;
    }

    private static void check(double[] p, double[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("distributions must have the same length, got " + p.length + " and " + q.length);
        }
    }
}
