package org.squeeze4j.quant.qat.bench;

import java.util.Arrays;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.quant.qat.QatConfig;
import org.squeeze4j.quant.qat.QatControl;
import org.squeeze4j.quant.qat.QatPreparation;

/**
 * Harness (not a test): milliseconds per training step on one batch of 128 for the float
 * LeNet-300-100 and for QAT variants, to see where fake quantization costs. The networks take
 * turns in blocks of 10 steps (after 5 untimed rounds), so all see the same machine; the minimum
 * and the median over the rounds are printed with their ratio to float. Arguments: rounds (60), and
 * optionally a thread count for {@link org.squeeze4j.util.Nd4jThreads#set} (as the notebooks call it).
 * Run with the notebook kernel's JVM options (tutorials/05-qat.md):
 * <pre>
 *   OMP_NUM_THREADS=1 java -Xmx512m -XX:+UseSerialGC --add-modules=jdk.incubator.vector \
 *     -cp target/test-classes:target/classes:$(cat cp.txt) org.squeeze4j.quant.qat.bench.QatStepBench 60
 * </pre>
 * Without {@code --add-modules jdk.incubator.vector} the fake quantizers take their scalar loops.
 */
public final class QatStepBench {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        if (args.length > 1) {
            org.squeeze4j.util.Nd4jThreads.set(Integer.parseInt(args[1]));
        }
        DataSet batch = Datasets.mnist().train().subset(128, 1).toDataSet();
        MultiLayerNetwork fp = ReferenceModel.LENET_300_100.pretrained();
        String[] names = {"float", "prepared, all off", "activations only", "weights only", "W8A8", "W2A2 PACT"};
        MultiLayerNetwork[] nets = new MultiLayerNetwork[names.length];
        nets[0] = fp;
        for (int k = 1; k < names.length; k++) {
            nets[k] = QatPreparation.prepare(fp, k == 5 ? QatConfig.of(2, 2).withPact() : QatConfig.of(8, 8));
            QatControl.calibrate(nets[k], batch.getFeatures());
        }
        QatControl.setFakeQuant(nets[1], false);
        QatControl.setObserving(nets[1], false);
        QatControl.weights(nets[2]).forEach(w -> w.setEnabled(false));
        QatControl.activations(nets[3]).forEach(a -> {
            a.setFakeQuant(false);
            a.setObserving(false);
        });
        double[][] ms = new double[names.length][rounds];
        for (int r = -5; r < rounds; r++) {
            for (int k = 0; k < names.length; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    nets[k].fit(batch);
                }
                if (r >= 0) {
                    ms[k][r] = (System.nanoTime() - t0) / 1e7;
                }
            }
        }
        for (double[] m : ms) {
            Arrays.sort(m);
        }
        System.out.println("vector loops: " + org.squeeze4j.engine.Kernels.vectorAvailable()
                + ", OMP_NUM_THREADS=" + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        for (int k = 0; k < names.length; k++) {
            System.out.println(String.format(Locale.ROOT, "%-18s min %6.2f ms (%.2fx)   median %6.2f ms (%.2fx)", names[k],
                    ms[k][0], ms[k][0] / ms[0][0], ms[k][rounds / 2], ms[k][rounds / 2] / ms[0][rounds / 2]));
        }
    }
}
