package org.squeeze4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.Accuracy;

/** The shipped baselines meet the targets of the foundation issue and match their provenance files. */
class ReferenceModelTest {
    static DatasetSplits mnist;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        mnist = Datasets.mnist();
    }

    private static void assertBaseline(ReferenceModel model, double target) {
        MultiLayerNetwork net = model.pretrained();
        double accuracy = Accuracy.of(net, mnist.test().iterator(1000));
        assertTrue(accuracy >= target, model.id() + " reaches " + accuracy + " on the MNIST test set, target " + target);
        assertEquals(model.pretrainedInfo().testAccuracy(), accuracy, 1e-9, "the provenance file records the shipped model's accuracy");
        assertEquals(model.id(), model.pretrainedInfo().model());
        assertTrue(model.pretrainedInfo().command().startsWith("./s4j pretrain " + model.id()));
    }

    @Test
    void lenet300100ReachesAtLeast98Point2Percent() {
        assertBaseline(ReferenceModel.LENET_300_100, 0.982);
    }

    @Test
    void caffeLenet5ReachesAtLeast99Point1Percent() {
        assertBaseline(ReferenceModel.LENET_5_CAFFE, 0.991);
    }

    @Test
    void classicLenet5ReachesAtLeast98Point8Percent() {
        assertBaseline(ReferenceModel.LENET_5, 0.988);
    }

    @Test
    void byIdFindsModelsAndListsThemOnError() {
        assertEquals(ReferenceModel.LENET_5_CAFFE, ReferenceModel.byId("LeNet-5-Caffe"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceModel.byId("resnet"));
        assertTrue(e.getMessage().contains("lenet-300-100, lenet-5, lenet-5-caffe"), e.getMessage());
    }

    @Test
    void saveAndLoadRoundTripGivesIdenticalOutputs() {
        MultiLayerNetwork net = ReferenceModel.LENET_300_100.pretrained();
        Path file = dir.resolve("m.zip");
        ModelFiles.save(net, file);
        INDArray x = mnist.test().features(0, 1, 2, 3);
        assertEquals(net.output(x), ModelFiles.load(file).output(x));
    }

    @Test
    void truncatedModelFileGivesAClearErrorAndSavingNeverLeavesTempFiles() throws IOException {
        Path file = dir.resolve("m.zip");
        ModelFiles.save(Models.mlp(1, 1e-3, 8), file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().contains("m.zip") && e.getMessage().contains("truncated or corrupt"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the model file itself");
        }
    }

    @Test
    void missingModelFileIsNamed() {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(dir.resolve("gone.zip")));
        assertTrue(e.getMessage().contains("gone.zip"), e.getMessage());
    }

    @Test
    void modelFactoriesRejectBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Models.mlp(1, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> Models.mlp(1, 1e-3, 0));
        assertThrows(IllegalArgumentException.class, () -> Models.lenet5(1, -1));
    }

    /**
     * A model zip whose parameters' ND4J header was crafted (shape 2^40, the zip's CRC repaired by
     * re-zipping) used to reach libnd4j and crash the JVM; it is refused naming the entry.
     */
    @Test
    void aCraftedParameterHeaderInAValidZipIsRefusedBeforeNd4jSeesIt(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.zip");
        ModelFiles.save(org.squeeze4j.models.Models.mlp(1, 1e-3, 8), good);
        Path crafted = dir.resolve("crafted.zip");
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(good));
             var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(crafted))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] b = in.readAllBytes();
                if (e.getName().equals("coefficients.bin")) {
                    java.nio.ByteBuffer.wrap(b).putLong(2 + 16 + 8 + 2 + 4 + 8 * 2, 1L << 40);   // the parameter count
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(b);
                out.closeEntry();
            }
        }
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(crafted));
        assertTrue(e.getMessage().contains("coefficients.bin") && e.getMessage().contains("not a valid ND4J array"), e.getMessage());
        assertEquals(ModelFiles.load(good).params(), org.squeeze4j.models.Models.mlp(1, 1e-3, 8).params());
    }
}
