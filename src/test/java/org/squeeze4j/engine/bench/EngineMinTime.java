package org.squeeze4j.engine.bench;

import org.squeeze4j.lower.IntModelBuilder;
import java.util.Arrays;
import java.util.function.Supplier;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.IntRunner;
import org.squeeze4j.engine.Kernels;
import org.squeeze4j.models.ReferenceModel;

/**
 * A load-tolerant complement to {@link EngineBenchmark}: ND4J fp32 {@code net.output} and the
 * vector engine on LeNet-300-100, <em>interleaved</em> call by call (so both see the same machine
 * load), reporting the minimum and the median of each. The engine runs twice: on one thread, and
 * on as many threads as ND4J uses ({@code maxMasterThreads}, i.e. {@code OMP_NUM_THREADS}), which
 * is the like-for-like comparison. On a shared machine the minimum is the
 * closest to what each side does when it gets the cores; JMH's averages there measure the
 * neighbours. Run:
 * <pre>
 *   OMP_NUM_THREADS=1 ./mvnw -q -DskipITs test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=org.squeeze4j.engine.bench.EngineMinTime -Dexec.args="2000 300"
 * </pre>
 * (arguments: runs at batch 1, runs at batch 128; the exec JVM needs
 * {@code MAVEN_OPTS=--add-modules=jdk.incubator.vector} for the vector kernel).
 */
public final class EngineMinTime {
    private EngineMinTime() {
    }

    public static void main(String[] args) {
        int runs1 = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int runs128 = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        DatasetSplits mnist = Datasets.mnist();
        MultiLayerNetwork net = ReferenceModel.LENET_300_100.pretrained();
        int[] calib = java.util.stream.IntStream.range(0, 1000).toArray();
        IntModel model = IntModelBuilder.build(net, mnist.train().subset(1000, 42).features(calib));
        int nd4jThreads = Nd4j.getEnvironment().maxMasterThreads();
        System.out.println("kernel " + Kernels.best().name() + ", ND4J threads " + nd4jThreads
                + " (OMP_NUM_THREADS=" + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset") + ")");
        for (int batch : new int[] {1, 128}) {
            INDArray x = mnist.test().features(java.util.stream.IntStream.range(0, batch).toArray());
            float[] f = x.ravel().toFloatVector();
            int runs = batch == 1 ? runs1 : runs128;
            for (int threads : nd4jThreads == 1 ? new int[] {1} : new int[] {1, nd4jThreads}) {
                IntRunner r = model.runner(batch, Kernels.best(), threads);
                double[][] t = interleave(() -> net.output(x), () -> r.output(f, batch), runs);
                System.out.printf("batch %3d, engine %d thread(s): ND4J min %8.1f us median %8.1f us | engine min %8.1f us median %8.1f us"
                        + " | speed-up min %.2fx median %.2fx%n",
                        batch, threads, t[0][0], t[0][1], t[1][0], t[1][1], t[0][0] / t[1][0], t[0][1] / t[1][1]);
            }
        }
    }

    private static double[][] interleave(Supplier<?> a, Supplier<?> b, int runs) {
        for (int i = 0; i < Math.max(50, runs / 5); i++) {
            a.get();
            b.get();
        }
        double[] ta = new double[runs];
        double[] tb = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            a.get();
            long t1 = System.nanoTime();
            b.get();
            long t2 = System.nanoTime();
            ta[i] = (t1 - t0) / 1e3;
            tb[i] = (t2 - t1) / 1e3;
        }
        Arrays.sort(ta);
        Arrays.sort(tb);
        return new double[][] {{ta[0], ta[runs / 2]}, {tb[0], tb[runs / 2]}};
    }
}
