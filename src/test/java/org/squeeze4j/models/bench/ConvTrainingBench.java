package org.squeeze4j.models.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.models.Models;
import org.squeeze4j.util.Nd4jThreads;
import org.squeeze4j.util.OneDnn;

/**
 * How fast the reference conv nets train on this machine: median milliseconds per training step
 * (forward, backward, Adam) on random MNIST-shaped batches, the training rate in G MAC/s
 * (3 x forward MACs per image, the usual forward + two backward products), the epoch time that
 * implies for 60,000 images, and which convolution path DL4J took (its oneDNN helper or its own
 * im2col + GEMM, "DL4J"). Models: lenet-5, lenet-5-caffe, resnet8-W, dwnet-W (W the width). Not a unit test; run it by hand, e.g.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests package &amp;&amp; ./mvnw -B -q test-compile
 * java --add-modules jdk.incubator.vector -cp "target/test-classes:target/squeeze4j.jar:target/lib/*" \
 *     org.squeeze4j.models.bench.ConvTrainingBench threads=2 batch=64 steps=20
 * </pre>
 */
public final class ConvTrainingBench {
    public static void main(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            o.put(kv[0], kv[1]);
        }
        int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "64"));
        int steps = Integer.parseInt(o.getOrDefault("steps", "20"));
        String models = o.getOrDefault("models", "lenet-5,lenet-5-caffe");
        Nd4jThreads.set(threads);
        System.out.printf(Locale.ROOT, "natives: %s, threads %d, batch %d%n",
                Nd4j.getExecutioner().getEnvironmentInformation().getProperty("blas.vendor"), threads, batch);
        for (String id : models.split(",")) {
            Model net = create(id);
            long macs = ModelMeasure.of(id, net).macs();
            DataSet ds = new DataSet(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, batch, 784), oneHot(batch));
            for (int i = 0; i < 5; i++) {
                fit(net, ds);
            }
            double[] ms = new double[steps];
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                fit(net, ds);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            java.util.Arrays.sort(ms);
            double median = ms[steps / 2];
            double gmacs = 3.0 * macs * batch / (median / 1e3) / 1e9;
            System.out.printf(Locale.ROOT, "%-14s conv path %-17s step %8.1f ms  %6.2f G MAC/s  epoch (60,000 images) %6.1f s%n",
                    id, convPath(net), median, gmacs, median / 1e3 * 60000.0 / batch);
        }
    }

    /** lenet-5, lenet-5-caffe, resnet8-W or dwnet-W (W the width). */
    private static Model create(String id) {
        if (id.startsWith("resnet8-")) {
            return Models.resnet8(42, 1e-3, Integer.parseInt(id.substring("resnet8-".length())));
        }
        if (id.startsWith("dwnet-")) {
            return Models.depthwiseNet(42, 1e-3, Integer.parseInt(id.substring("dwnet-".length())));
        }
        return switch (id) {
            case "lenet-5" -> Models.lenet5(42, 1e-3);
            case "lenet-5-caffe" -> Models.lenet5Caffe(42, 1e-3);
            default -> throw new IllegalArgumentException("unknown model " + id);
        };
    }

    private static void fit(Model net, DataSet ds) {
        if (net instanceof ComputationGraph g) {
            g.fit(ds);
        } else {
            ((MultiLayerNetwork) net).fit(ds);
        }
    }

    private static org.nd4j.linalg.api.ndarray.INDArray oneHot(int n) {
        org.nd4j.linalg.api.ndarray.INDArray y = Nd4j.zeros(n, 10);
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(10), 1.0);
        }
        return y;
    }

    private static String convPath(Model net) {
        Layer[] layers = net instanceof ComputationGraph g ? g.getLayers() : ((MultiLayerNetwork) net).getLayers();
        for (Layer l : layers) {
            if (l instanceof ConvolutionLayer c) {
                return OneDnn.path(c);
            }
        }
        return "none";
    }
}
