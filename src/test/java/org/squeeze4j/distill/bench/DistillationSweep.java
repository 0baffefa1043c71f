package org.squeeze4j.distill.bench;

import java.nio.file.Path;
import java.util.*;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.*;
import org.squeeze4j.data.*;
import org.squeeze4j.distill.*;
import org.squeeze4j.models.*;
import org.squeeze4j.measure.*;

/**
 * The regime search behind notebook 06: hard-label students against distilled students (same seeds, images,
 * batches and epochs) for a grid of temperatures and alphas. Not a unit test; run it by hand, e.g.
 *
 * <pre>
 * ./mvnw -B -q test-compile
 * java -cp "target/test-classes:target/squeeze4j.jar:target/lib/*" org.squeeze4j.distill.bench.DistillationSweep \
 *     threads=1 n=1000 h=64 e=40 b=50 lr=3e-3 g=0.95 T=4,8 a=0.9,1 s=3
 * </pre>
 * Options: n transfer-set size (drawn per seed from the 60,000 training images with seed 100+s), h hidden sizes,
 * e epochs, b batch, lr learning rate, g its decay per epoch, T temperatures, a alphas, s seeds, test test images,
 * threads ND4J threads. Prints mean test accuracy per setting and the gain over hard labels in points, plus CPU
 * seconds per training.
 */
public class DistillationSweep {
    public static void main(String[] a) throws Exception {
        Map<String,String> o = new HashMap<>();
        for (String s : a) { String[] kv = s.split("="); o.put(kv[0], kv[1]); }
        int n = Integer.parseInt(o.getOrDefault("n", "3000"));
        int[] hidden = Arrays.stream(o.getOrDefault("h", "64").split(",")).mapToInt(Integer::parseInt).toArray();
        int epochs = Integer.parseInt(o.getOrDefault("e", "20"));
        int batch = Integer.parseInt(o.getOrDefault("b", "64"));
        double lr = Double.parseDouble(o.getOrDefault("lr", "1e-3"));
        double gamma = Double.parseDouble(o.getOrDefault("g", "0.9"));
        String[] ts = o.getOrDefault("T", "4").split(",");
        String[] as = o.getOrDefault("a", "0.9").split(",");
        int seeds = Integer.parseInt(o.getOrDefault("s", "3"));
        int testN = Integer.parseInt(o.getOrDefault("test", "10000"));
        if (o.containsKey("threads")) { org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(Integer.parseInt(o.get("threads"))); org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(Integer.parseInt(o.get("threads"))); }
        DatasetSplits mnist = Datasets.mnist();
        INDArray z = TeacherLogits.load("lenet-5-caffe", "train");
        TransferSet all = TransferSet.of(mnist.train(), z);
        IdxDataset test = testN == 10000 ? mnist.test() : mnist.test().head(testN);
        List<String> configs = new ArrayList<>();
        configs.add("hard");
        for (String t : ts) for (String al : as) configs.add(t + "/" + al);
        Map<String, double[]> acc = new LinkedHashMap<>();
        long t0 = System.nanoTime(); double cpu = 0; int runs = 0;
        for (int s = 1; s <= seeds; s++) {
            TransferSet tr = all.subset(n, 100 + s);
            for (String c : configs) {
                DistillationLoss loss = c.equals("hard") ? DistillationLoss.hardLabels()
                        : new DistillationLoss(Double.parseDouble(c.split("/")[0]), Double.parseDouble(c.split("/")[1]));
                MultiLayerNetwork st = Distillation.student(Models.mlp(s, lr, hidden), loss);
                st.setLearningRate(new ExponentialSchedule(ScheduleType.EPOCH, lr, gamma));
                long c0 = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
                Trainer.builder().epochs(epochs).progress(null).build().fit(st, tr.iterator(batch, s), null);
                double ac = Accuracy.of(st, test.iterator(1000));
                cpu += (((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - c0) / 1e9; runs++;
                acc.computeIfAbsent(c, k -> new double[seeds])[s - 1] = ac;
            }
        }
        System.out.printf("n=%d h=%s e=%d b=%d lr=%g g=%g seeds=%d  (%.0f s, cpu/training %.1f s)%n", n, Arrays.toString(hidden), epochs, batch, lr, gamma, seeds, (System.nanoTime()-t0)/1e9, cpu/runs);
        double hard = Arrays.stream(acc.get("hard")).average().orElse(0);
        for (var e : acc.entrySet()) {
            double m = Arrays.stream(e.getValue()).average().orElse(0);
            System.out.printf("  %-10s mean %.2f%%  delta %+.2f  %s%n", e.getKey(), 100*m, 100*(m-hard), Arrays.toString(Arrays.stream(e.getValue()).map(v->Math.round(v*10000)/100.0).toArray()));
        }
    }
}
