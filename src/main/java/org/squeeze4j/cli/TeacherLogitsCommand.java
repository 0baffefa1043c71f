package org.squeeze4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.distill.TeacherLogits;
import org.squeeze4j.distill.TeacherLogitsInfo;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.report.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs a shipped teacher over MNIST once and writes its logits, the cache that distillation reads. */
@Command(name = "teacher-logits", mixinStandardHelpOptions = true,
        description = "Compute a pretrained teacher's logits for the MNIST training and test images (the shipped distillation cache).")
final class TeacherLogitsCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "teacher model id (default: ${DEFAULT-VALUE})", defaultValue = "lenet-5-caffe")
    String model;

    @Option(names = "--out", description = "output directory (default: ${DEFAULT-VALUE})",
            defaultValue = "src/main/resources/org/squeeze4j/distill")
    Path out;

    @Option(names = "--batch", description = "images per forward pass (default: ${DEFAULT-VALUE})", defaultValue = "500")
    int batch;

    @Override
    public Integer call() throws IOException {
        OptionChecks.atLeast("--batch", batch, 1);
        ReferenceModel ref = ReferenceModel.byId(model);
        MultiLayerNetwork teacher = ref.pretrained();
        DatasetSplits mnist = Datasets.mnist();
        Files.createDirectories(out);
        for (String split : new String[] {"train", "test"}) {
            IdxDataset data = split.equals("train") ? mnist.train() : mnist.test();
            long t0 = System.nanoTime();
            INDArray z = TeacherLogits.of(teacher, data, batch);
            double seconds = Math.round((System.nanoTime() - t0) / 1e8) / 10.0;
            INDArray stored = TeacherLogits.read(write(z, out.resolve(ref.id() + "-" + split + ".logits.gz.tmp")));
            int correct = 0;
            for (int i = 0; i < data.size(); i++) {
                if (stored.getRow(i).argMax().getInt(0) == data.label(i)) {
                    correct++;
                }
            }
            Path gz = out.resolve(ref.id() + "-" + split + ".logits.gz");
            Files.move(out.resolve(ref.id() + "-" + split + ".logits.gz.tmp"), gz, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            TeacherLogitsInfo info = new TeacherLogitsInfo(ref.id(), split, data.size(), (int) z.columns(),
                    (double) correct / data.size(), sha256(gz), seconds, Provenance.current().versions(),
                    "./s4j teacher-logits " + ref.id());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.resolve(ref.id() + "-" + split + ".logits.json").toFile(), info);
            System.out.printf(Locale.ROOT, "%s %s: %d x %d logits in %.1f s, accuracy from the stored logits %.4f, wrote %s (%d bytes)%n",
                    ref.id(), split, data.size(), z.columns(), seconds, info.accuracy(), gz, Files.size(gz));
        }
        return 0;
    }

    private static Path write(INDArray z, Path file) throws IOException {
        TeacherLogits.write(z, file);
        return file;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
