package org.squeeze4j.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.ReferenceModel;

class TransferAndHintsTest {
    private static DatasetSplits mnist;
    private static INDArray trainLogits;

    @BeforeAll
    static void load() {
        mnist = Datasets.mnist();
        trainLogits = TeacherLogits.load("lenet-5-caffe", "train");
    }

    @Test
    void cachedLogitsMatchTheShippedTeacherOnASample() {
        MultiLayerNetwork teacher = ReferenceModel.LENET_5_CAFFE.pretrained();
        int[] sample = {0, 1, 2, 12345, 59999};
        INDArray fresh = TeacherLogits.of(teacher, mnist.train().features(sample));
        INDArray cached = trainLogits.getRows(sample);
        double maxAbs = Transforms.abs(fresh.sub(cached)).maxNumber().doubleValue();
        assertTrue(maxAbs < 0.05, "cached float16 logits differ from a fresh forward pass by " + maxAbs);
        // logits are what the softmax output is computed from
        INDArray probs = teacher.output(mnist.train().features(sample), false);
        assertTrue(Transforms.softmax(fresh, true).equalsWithEps(probs, 1e-4));
        TeacherLogitsInfo info = TeacherLogits.info("lenet-5-caffe", "train");
        assertEquals(60000, info.rows());
        assertTrue(info.accuracy() > 0.99, "teacher training accuracy " + info.accuracy());
        assertEquals(ReferenceModel.LENET_5_CAFFE.pretrainedInfo().testAccuracy(),
                TeacherLogits.info("lenet-5-caffe", "test").accuracy(), 1e-9);
    }

    @Test
    void logitsFileRoundTripsAndCorruptionIsDetected(@TempDir Path dir) throws Exception {
        INDArray z = Nd4j.createFromArray(new float[][] {{1.5f, -2.25f, 30f}, {0f, 7.125f, -11f}});
        Path file = dir.resolve("z.logits.gz");
        String sha = TeacherLogits.write(z, file);
        assertEquals(TeacherLogits.sha256(Files.readAllBytes(file)), sha);
        assertEquals(z, TeacherLogits.read(file));
        String missing = assertThrows(IllegalStateException.class, () -> TeacherLogits.load("no-such-teacher", "train")).getMessage();
        assertTrue(missing.contains("./s4j teacher-logits no-such-teacher"), missing);
    }

    @Test
    void transferSetBatchesCarryOneHotAndTheRightTeacherLogits() {
        TransferSet all = TransferSet.of(mnist.train(), trainLogits);
        TransferSet small = all.subset(300, 7);
        assertEquals(300, small.size());
        assertArrayEquals(small.indices(), all.subset(300, 7).indices());
        DataSetIterator it = small.iterator(64, 3);
        int seen = 0;
        while (it.hasNext()) {
            DataSet b = it.next();
            assertEquals(20, b.getLabels().columns());
            for (int r = 0; r < b.numExamples(); r++) {
                INDArray x = b.getFeatures().getRow(r);
                int label = b.getLabels().getRow(r).get(NDArrayIndex.interval(0, 10)).argMax().getInt(0);
                // find the image in the data set to check the logits belong to it
                int idx = -1;
                for (int i : small.indices()) {
                    if (mnist.train().features(i).equals(x.reshape(1, 784))) {
                        idx = i;
                        break;
                    }
                }
                assertTrue(idx >= 0, "batch image not in the transfer set");
                assertEquals(mnist.train().label(idx), label);
                assertEquals(trainLogits.getRow(idx), b.getLabels().getRow(r).get(NDArrayIndex.interval(10, 20)));
                seen++;
            }
            if (seen > 80) {
                break;
            }
        }
        // two iterators with the same seed give the same batches, a different seed does not
        assertEquals(small.iterator(64, 3).next(), small.iterator(64, 3).next());
        assertNotEquals(small.iterator(64, 3).next().getFeatures(), small.iterator(64, 4).next().getFeatures());
    }

    @Test
    void withoutClassRemovesExactlyThatClass() {
        TransferSet set = TransferSet.of(mnist.train(), trainLogits).subset(2000, 1);
        TransferSet no3 = set.withoutClass(3);
        assertEquals(0, no3.classCounts()[3]);
        assertEquals(set.size() - set.classCounts()[3], no3.size());
        assertEquals(60000 - 2000, set.complement().length);
        assertThrows(IllegalArgumentException.class, () -> set.withoutClass(10));
    }

    @Test
    void mismatchedLogitsAreRejected() {
        IdxDataset train = mnist.train();
        String rows = assertThrows(IllegalArgumentException.class,
                () -> TransferSet.of(train, Nd4j.zeros(DataType.FLOAT, 10, 10))).getMessage();
        assertTrue(rows.contains("one row of logits per image"), rows);
        String cols = assertThrows(IllegalArgumentException.class,
                () -> TransferSet.of(train, Nd4j.zeros(DataType.FLOAT, 60000, 7))).getMessage();
        assertTrue(cols.contains("7 outputs") && cols.contains("same classes"), cols);
    }

    @Test
    void studentTrainsOnTeacherLogitsAndEvaluatesAndSerializes() throws Exception {
        TransferSet set = TransferSet.of(mnist.train(), trainLogits).subset(1000, 2);
        MultiLayerNetwork template = Models.mlp(3, 3e-3, 16);
        MultiLayerNetwork student = Distillation.student(template, new DistillationLoss(4, 0.9));
        assertEquals(template.params(), student.params());
        DataSetIterator it = set.iterator(50, 3);
        for (int e = 0; e < 5; e++) {
            it.reset();
            student.fit(it);
        }
        double acc = Accuracy.of(student, mnist.test().head(1000).iterator(500));
        assertTrue(acc > 0.75, "a distilled 784-16-10 student after 5 epochs on 1000 images: " + acc);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(student, bytes, false);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), false);
        INDArray x = mnist.test().features(0, 1, 2);
        assertEquals(student.output(x), back.output(x));
        assertEquals(new DistillationLoss(4, 0.9),
                ((org.deeplearning4j.nn.conf.layers.OutputLayer) back.getLayerWiseConfigurations().getConf(1).getLayer()).getLossFn());
    }

    @Test
    void hintsTrainTheGuidedLayersAndLeaveTheRestAlone() {
        MultiLayerNetwork teacher = ReferenceModel.LENET_300_100.pretrained();
        INDArray x = mnist.train().head(500).features(java.util.stream.IntStream.range(0, 500).toArray());
        INDArray h = Hints.teacherHints(teacher, "fc2", x);
        assertArrayEquals(new long[] {500, 100}, h.shape());
        MultiLayerNetwork student = Models.mlp(5, 1e-3, 32, 16);
        INDArray fc2Before = student.getLayer(1).params().dup();
        INDArray outBefore = student.getLayer(2).params().dup();
        INDArray fc1Before = student.getLayer(0).params().dup();
        double[] losses = Hints.train(student, "fc2", x, h, 6, 50, 3e-3, 1);
        assertTrue(losses[5] < 0.6 * losses[0], "hint loss should fall: " + Arrays.toString(losses));
        assertNotEquals(fc1Before, student.getLayer(0).params());
        assertNotEquals(fc2Before, student.getLayer(1).params());
        assertEquals(outBefore, student.getLayer(2).params());
        String msg = assertThrows(IllegalArgumentException.class, () -> Hints.train(student, "fc9", x, h, 1, 50, 1e-3, 1)).getMessage();
        assertTrue(msg.contains("fc9") && msg.contains("fc1"), msg);
    }

    @Test
    void biasShiftRecoversAnOmittedClassOnValidationData() {
        MultiLayerNetwork net = ReferenceModel.LENET_300_100.pretrained();
        // cripple class 3, as a student that never saw a 3 would be
        BiasShift.apply(net, 3, -40);
        IdxDataset validation = mnist.train().range(0, 2000);
        INDArray before = net.params().dup();
        BiasShift shift = BiasShift.choose(net, 3, validation, 0, 10, 20, 30, 40, 50, 60);
        assertEquals(before, net.params(), "choose must not change the network");
        assertTrue(shift.delta() >= 30 && shift.delta() <= 50, shift.toString());
        assertTrue(shift.validationAccuracy()[shift.best()] > shift.validationAccuracy()[0] + 0.05, shift.toString());
        double b3 = net.getOutputLayer().getParam("b").getDouble(3);
        shift.applyTo(net);
        assertEquals(b3 + shift.delta(), net.getOutputLayer().getParam("b").getDouble(3), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> BiasShift.apply(net, 10, 1));
    }
}
