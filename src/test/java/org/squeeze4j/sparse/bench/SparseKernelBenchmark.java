package org.squeeze4j.sparse.bench;

import java.util.Locale;
import java.util.function.Function;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.measure.Latency;
import org.squeeze4j.measure.LatencyResult;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.prune.Pruner;
import org.squeeze4j.sparse.ActivationSparseMlp;
import org.squeeze4j.sparse.ActivationSparsity;
import org.squeeze4j.sparse.SparseMlp;

/**
 * Batch-1 latency of the sparse kernels against ND4J dense, in one run on one machine:
 * the pretrained LeNet-300-100 pruned by magnitude to 90 % in every layer, one real MNIST test
 * digit as input, {@link Latency} (warm-up, then many timed runs, median and 10th / 90th
 * percentiles). Every variant computes softmax probabilities of the same network.
 *
 * <ul>
 * <li>ND4J dense: {@code net.output(x, false)} (the pruned weights are dense zeros; ND4J does all 266,200 multiply-adds);</li>
 * <li>CSR: {@link SparseMlp}, one multiply-add per surviving weight;</li>
 * <li>CSC: {@link ActivationSparseMlp} with β = 0, which also skips zero inputs (black pixels, ReLU zeros);</li>
 * <li>CSC β = 0.1: additionally zeroes hidden activations below 0.1·max (changes outputs slightly; its accuracy is printed).</li>
 * </ul>
 *
 * <p>Not a unit test (latency depends on the machine and its load; the ratios in one run are
 * what to compare) and not JMH: JIT, GC and other processes on a shared machine add noise, so
 * read the p10 / p90 spread too. Run it with
 * <pre>
 *   ./mvnw -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt
 *   OMP_NUM_THREADS=2 MALLOC_ARENA_MAX=2 java -cp target/test-classes:target/classes:$(cat target/test-cp.txt) \
 *       org.squeeze4j.sparse.bench.SparseKernelBenchmark [warmup runs]
 * </pre>
 */
public final class SparseKernelBenchmark {
    private SparseKernelBenchmark() {
    }

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        DatasetSplits mnist = Datasets.mnist();
        MultiLayerNetwork net = ReferenceModel.LENET_300_100.pretrained();
        var test = mnist.test().iterator(1000);
        double denseAccuracy = Accuracy.of(net, test);
        Pruner.builder().sparsity(0.9).build().prune(net);
        double prunedAccuracy = Accuracy.of(net, test);

        SparseMlp csr = SparseMlp.of(net);
        ActivationSparseMlp csc = ActivationSparseMlp.of(net, 0, ActivationSparseMlp.Kernel.CSC);
        ActivationSparseMlp cscBeta = ActivationSparseMlp.of(net, 0.1, ActivationSparseMlp.Kernel.CSC);
        double cscAccuracy = csc.accuracy(test);
        double betaAccuracy = cscBeta.accuracy(test);

        INDArray input = mnist.test().features(0);
        float[] x = input.toFloatVector();
        System.out.printf(Locale.ROOT, "LeNet-300-100 pretrained: accuracy %.4f; pruned to %.1f %% per layer (magnitude, no retraining): %.4f%n",
                denseAccuracy, 100 * Pruner.sparsity(net), prunedAccuracy);
        System.out.printf(Locale.ROOT, "non-zero weights %d of 266,200; CSC accuracy %.4f (beta 0), %.4f (beta 0.1)%n",
                csr.nonZeros(), cscAccuracy, betaAccuracy);
        System.out.println("zero activations over the 10,000 test digits, beta 0.1 (what the next CSC layer skips):");
        for (ActivationSparsity a : cscBeta.activationSparsity()) {
            System.out.printf(Locale.ROOT, "  %-6s %.3f  (ReLU/black %.3f + beta %.3f)%n", a.layer(), a.zeroFraction(),
                    (double) a.reluZeros() / a.activations(), (double) a.betaZeros() / a.activations());
        }
        System.out.printf(Locale.ROOT, "batch 1, input = test digit 0, warm-up %d, runs %d, %s, %d cores%n", warmup, runs,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());

        LatencyResult dense = time("ND4J dense", v -> net.output(v, false), input, warmup, runs, null);
        time("CSR", v -> csr.probabilities(x), input, warmup, runs, dense);
        time("CSC, beta 0", v -> csc.probabilities(x), input, warmup, runs, dense);
        time("CSC, beta 0.1", v -> cscBeta.probabilities(x), input, warmup, runs, dense);
        // a second dense measurement shows how much the machine drifted during the run
        time("ND4J dense again", v -> net.output(v, false), input, warmup, runs, dense);
    }

    private static LatencyResult time(String name, Function<INDArray, ?> forward, INDArray input, int warmup, int runs,
                                      LatencyResult baseline) {
        LatencyResult r = Latency.of(forward, input, warmup, runs);
        System.out.printf(Locale.ROOT, "%-18s median %8.1f us   p10 %8.1f   p90 %8.1f%s%n", name, 1000 * r.medianMillis(),
                1000 * r.p10Millis(), 1000 * r.p90Millis(),
                baseline == null ? "" : String.format(Locale.ROOT, "   %.1fx faster than dense", r.speedupOver(baseline)));
        return r;
    }
}
