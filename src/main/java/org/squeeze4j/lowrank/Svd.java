package org.squeeze4j.lowrank;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Thin singular value decomposition {@code A = U diag(s) V^T} of an {@code m x n} matrix, from
 * LAPACK's {@code gesvd} through ND4J ({@code Nd4j.getBlasWrapper().lapack().gesvd}), computed in
 * float64 and truncated to {@code k = min(m, n)} columns.
 *
 * <p>By Eckart–Young, {@code U_r diag(s_r) V_r^T} (the first {@code r} triplets) is the best
 * rank-{@code r} approximation in Frobenius norm, with error {@code sqrt(sum_{i>r} s_i^2)}.
 *
 * @param u {@code m x k}, orthonormal columns
 * @param s the singular values, descending, length {@code k}
 * @param vt {@code k x n}, orthonormal rows
 */
public record Svd(INDArray u, double[] s, INDArray vt) {

    /** Decomposes {@code a} (rank 2, finite). */
    public static Svd of(INDArray a) {
        if (a.rank() != 2) {
            throw new IllegalArgumentException("SVD needs a matrix, got shape " + java.util.Arrays.toString(a.shape()));
        }
        if (a.isNaN().any() || a.isInfinite().any()) {
            throw new IllegalArgumentException("cannot decompose a matrix with NaN or infinite entries");
        }
        long m = a.rows();
        long n = a.columns();
        int k = (int) Math.min(m, n);
        INDArray work = a.castTo(DataType.DOUBLE).dup('f');
        INDArray s = Nd4j.create(DataType.DOUBLE, k);
        INDArray u = Nd4j.create(DataType.DOUBLE, new long[] {m, m}, 'f');
        INDArray vt = Nd4j.create(DataType.DOUBLE, new long[] {n, n}, 'f');
        Nd4j.getBlasWrapper().lapack().gesvd(work, s, u, vt);
        return new Svd(u.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k)).dup('c'),
                s.toDoubleVector(), vt.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c'));
    }

    /** Number of singular values, {@code min(m, n)}. */
    public int size() {
        return s.length;
    }

    /** {@code U_r diag(s_r) V_r^T}, the best rank-{@code r} approximation. */
    public INDArray reconstruct(int r) {
        return left(r, 1).mmul(right(r, 0));
    }

    /** {@code U_r diag(s_r)^p}: with {@code p = 1/2} on both sides the two factors are balanced. */
    public INDArray left(int r, double power) {
        check(r);
        INDArray ur = u.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, r)).dup();
        return ur.mulRowVector(scale(r, power));
    }

    /** {@code diag(s_r)^p V_r^T}. */
    public INDArray right(int r, double power) {
        check(r);
        INDArray vr = vt.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, r), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        return vr.mulColumnVector(scale(r, power).reshape(r, 1));
    }

    /** Fraction of {@code sum s_i^2} (the squared Frobenius norm) kept by the first {@code r} values. */
    public double energy(int r) {
        check(r);
        double total = 0;
        double kept = 0;
        for (int i = 0; i < s.length; i++) {
            total += s[i] * s[i];
            kept += i < r ? s[i] * s[i] : 0;
        }
        return total == 0 ? 1 : kept / total;
    }

    private INDArray scale(int r, double power) {
        double[] p = new double[r];
        for (int i = 0; i < r; i++) {
            p[i] = Math.pow(s[i], power);
        }
        return Nd4j.createFromArray(p);
    }

    private void check(int r) {
        if (r < 1 || r > s.length) {
            throw new IllegalArgumentException("rank must be 1-" + s.length + ", got " + r);
        }
    }

    @Override
    public double[] s() {
        return s.clone();
    }
}
