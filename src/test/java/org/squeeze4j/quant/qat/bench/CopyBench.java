package org.squeeze4j.quant.qat.bench;

import java.util.Locale;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.quant.qat.FakeQuantWeightNoise;
import org.squeeze4j.quant.qat.WeightRange;

public final class CopyBench {
    public static void main(String[] args) {
        INDArray w = Nd4j.rand(784, 300).dup('f');
        float[] f = w.data().asFloat();
        FakeQuantWeightNoise n = new FakeQuantWeightNoise(8, true, WeightRange.MAX_ABS);
        for (int r = 0; r < 2; r++) {
            t("dup", () -> w.dup('f'));
            t("asFloat", () -> w.data().asFloat());
            t("setData", () -> { w.dup('f').data().setData(f); return null; });
            t("create(float[])", () -> Nd4j.create(f, new long[] {784, 300}, 'f'));
            t("fakeQuantize", () -> n.fakeQuantize(w, 1));
        }
    }

    static void t(String name, Supplier<?> s) {
        for (int i = 0; i < 30; i++) s.get();
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) s.get();
        System.out.println(String.format(Locale.ROOT, "%-16s %.3f ms", name, (System.nanoTime() - t0) / 1e6 / 200));
    }
}
