package org.squeeze4j.quant.qat.bench;

import java.util.Locale;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.quant.qat.FakeQuant;
import org.squeeze4j.quant.qat.FakeQuantWeightNoise;
import org.squeeze4j.quant.qat.WeightRange;

public final class OpBench {
    public static void main(String[] args) {
        INDArray w = Nd4j.rand(784, 300).dup('f').subi(0.5);
        INDArray a = Nd4j.rand(128, 300);
        FakeQuantWeightNoise n = new FakeQuantWeightNoise(4, true, WeightRange.MEAN_ABS);
        INDArray s = n.scales(w, 1);
        for (int r = 0; r < 2; r++) {
            t("scales", () -> n.scales(w, 1));
            t("amean", () -> w.amean(0));
            t("amax", () -> w.amax(0));
            t("divRowVector", () -> w.divRowVector(s));
            INDArray x = w.divRowVector(s);
            t("rint", () -> Nd4j.exec(new Rint(x, x)));
            t("clip", () -> FakeQuant.clipInPlace(x, -7, 7));
            t("muliRowVector", () -> x.muliRowVector(s));
            t("dup+diviRow", () -> w.dup('f').diviRowVector(s));
            t("scalar max+min", () -> { org.nd4j.linalg.ops.transforms.Transforms.max(x, -7, false); return org.nd4j.linalg.ops.transforms.Transforms.min(x, 7, false); });
            t("act clip", () -> FakeQuant.clipInPlace(a, 0, 15));
            t("act max+min", () -> { org.nd4j.linalg.ops.transforms.Transforms.max(a, 0, false); return org.nd4j.linalg.ops.transforms.Transforms.min(a, 15, false); });
            t("fq weights", () -> n.fakeQuantize(w, 1));
            t("act min+max", () -> a.minNumber().doubleValue() + a.maxNumber().doubleValue());
            t("act fq", () -> FakeQuant.perTensorInPlace(a.dup(), 0.1, 0, 0, 15));
            t("act dup", () -> a.dup());
            t("lte cast", () -> a.lte(0.5).castTo(a.dataType()));
        }
    }

    static void t(String name, Supplier<?> f) {
        for (int i = 0; i < 50; i++) f.get();
        long t0 = System.nanoTime();
        for (int i = 0; i < 300; i++) f.get();
        System.out.println(String.format(Locale.ROOT, "%-15s %.3f ms", name, (System.nanoTime() - t0) / 1e6 / 300));
    }
}
