package org.squeeze4j.engine.bench;

import org.squeeze4j.lower.IntModelBuilder;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.IntRunner;
import org.squeeze4j.engine.Kernels;
import org.squeeze4j.models.ReferenceModel;

/**
 * JMH benchmark: LeNet-300-100 inference, ND4J fp32 {@code net.output(x)} against the integer engine
 * with the scalar and the Vector-API kernel, at batch 1 and batch 128, in one run. The engine time
 * includes quantizing the float input and dequantizing the logits (float in, float out, like
 * {@code net.output}); the engine runs on one thread, ND4J with {@code OMP_NUM_THREADS} threads.
 *
 * <p>Run (2 forks, 2 warm-up and 3 measured iterations of 1 s by default; JMH options such as
 * {@code -f 3 -i 5} can be passed as exec arguments):
 * <pre>
 *   OMP_NUM_THREADS=2 ./mvnw -q -DskipITs test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=org.squeeze4j.engine.bench.EngineBenchmark
 * </pre>
 * The forked JVMs get {@code --add-modules jdk.incubator.vector}; {@link #main} prints JMH's table and
 * then the speed-ups of the engine over ND4J per batch size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class EngineBenchmark {
    MultiLayerNetwork net;
    INDArray x1;
    INDArray x128;
    float[] f1;
    float[] f128;
    IntRunner scalar1;
    IntRunner scalar128;
    IntRunner vector1;
    IntRunner vector128;

    @Setup(Level.Trial)
    public void setUp() {
        DatasetSplits mnist = Datasets.mnist();
        net = ReferenceModel.LENET_300_100.pretrained();
        int[] calib = new int[1000];
        for (int i = 0; i < calib.length; i++) {
            calib[i] = i;
        }
        IntModel model = IntModelBuilder.build(net, mnist.train().subset(1000, 42).features(calib));
        int[] batch = new int[128];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = i;
        }
        x128 = mnist.test().features(batch);
        x1 = mnist.test().features(0);
        f128 = x128.ravel().toFloatVector();
        f1 = x1.ravel().toFloatVector();
        scalar1 = model.runner(1, Kernels.scalar());
        scalar128 = model.runner(128, Kernels.scalar());
        vector1 = model.runner(1, Kernels.vector().orElseThrow(() -> new IllegalStateException(
                "run the benchmark JVM with --add-modules jdk.incubator.vector")));
        vector128 = model.runner(128, Kernels.vector().orElseThrow());
    }

    @Benchmark
    public INDArray nd4jBatch1() {
        return net.output(x1);
    }

    @Benchmark
    public INDArray nd4jBatch128() {
        return net.output(x128);
    }

    @Benchmark
    public float[] scalarBatch1() {
        return scalar1.output(f1, 1);
    }

    @Benchmark
    public float[] scalarBatch128() {
        return scalar128.output(f128, 128);
    }

    @Benchmark
    public float[] vectorBatch1() {
        return vector1.output(f1, 1);
    }

    @Benchmark
    public float[] vectorBatch128() {
        return vector128.output(f128, 128);
    }

    /** Runs the benchmarks above (JMH command-line options are accepted) and prints the speed-ups over ND4J. */
    public static void main(String[] args) throws Exception {
        exposeClasspathToForks();
        Options cli = new CommandLineOptions(args);
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            builder.include(EngineBenchmark.class.getName() + "\\.");
        }
        Options opts = builder.build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Double> micros = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            micros.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("LeNet-300-100, microseconds per call (lower is better) and speed-up over ND4J fp32"
                + " (ND4J threads: OMP_NUM_THREADS=" + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset")
                + ", engine: 1 thread):");
        for (String batch : List.of("Batch1", "Batch128")) {
            Double nd4j = micros.get("nd4j" + batch);
            for (String engine : List.of("nd4j", "scalar", "vector")) {
                Double t = micros.get(engine + batch);
                if (t != null && nd4j != null) {
                    System.out.printf("  %-8s %-7s %10.1f us   %5.2fx%n", batch.replace("Batch", "batch "), engine, t, nd4j / t);
                }
            }
        }
    }

    /**
     * Under {@code mvn exec:java} the project classes live in a URLClassLoader, not on
     * {@code java.class.path}, which is what JMH gives its forked JVMs; copy the loader's URLs there.
     */
    private static void exposeClasspathToForks() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl instanceof URLClassLoader u && !System.getProperty("java.class.path", "").contains("test-classes")) {
            List<String> paths = new ArrayList<>();
            for (URL url : u.getURLs()) {
                try {
                    paths.add(new File(url.toURI()).getPath());
                } catch (Exception e) {
                    paths.add(url.getPath());
                }
            }
            System.setProperty("java.class.path", String.join(File.pathSeparator, paths));
        }
    }
}
