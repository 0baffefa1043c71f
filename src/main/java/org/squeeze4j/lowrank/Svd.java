package org.squeeze4j.lowrank;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Thin singular value decomposition {@code A = U diag(s) V^T} of an {@code m x n} matrix in
 * float64, {@code k = min(m, n)} triplets, computed by EJML (Golub-Kahan bidiagonalisation and
 * implicit QR). Not by LAPACK through ND4J: OpenBLAS 0.3.19's {@code dgesvd}, which ND4J M2.1
 * calls, returns factors that are neither orthonormal nor reproduce {@code A} for matrices past
 * about 200 rows when it picks its SkylakeX (AVX-512) kernels, and libnd4j's own {@code svd} op
 * fails on tall matrices. {@link #of} checks its result and refuses rather than return a wrong one.
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
        int m = Math.toIntExact(a.rows());
        int n = Math.toIntExact(a.columns());
        int k = Math.min(m, n);
        INDArray doubles = a.castTo(DataType.DOUBLE);
        DMatrixRMaj matrix = new DMatrixRMaj(doubles.toDoubleMatrix());
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, n, true, true, true);
        if (!svd.decompose(matrix)) {
            throw new IllegalStateException("the SVD of a " + m + " x " + n + " matrix did not converge");
        }
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj w = svd.getW(null);
        DMatrixRMaj vt = svd.getV(null, true);
        SingularOps_DDRM.descendingOrder(u, false, w, vt, true);
        double[] s = new double[k];
        for (int i = 0; i < k; i++) {
            s[i] = w.get(i, i);
        }
        Svd result = new Svd(toNd4j(u), s, toNd4j(vt));
        double error = doubles.sub(result.reconstruct(k)).norm2Number().doubleValue();
        double norm = doubles.norm2Number().doubleValue();
        if (!(error <= 1e-9 * Math.max(norm, Double.MIN_NORMAL))) {
            throw new IllegalStateException(String.format("the SVD of a %d x %d matrix does not reproduce it "
                    + "(||A - U S V^T|| = %.3g against ||A|| = %.3g)", m, n, error, norm));
        }
        return result;
    }

    private static INDArray toNd4j(DMatrixRMaj m) {
        return Nd4j.create(m.getData(), new long[] {m.getNumRows(), m.getNumCols()}, DataType.DOUBLE).dup('c');
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
