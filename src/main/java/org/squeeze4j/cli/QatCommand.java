package org.squeeze4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.lower.QatConversion;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.models.TrainingHistory;
import org.squeeze4j.models.TrainingRecipe;
import org.squeeze4j.quant.qat.QatInfo;
import org.squeeze4j.quant.qat.QatRecipe;
import org.squeeze4j.quant.qat.QatReference;
import org.squeeze4j.report.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Quantization-aware training of a shipped graph baseline with its recipe; writes the network plus its provenance JSON. */
@Command(name = "qat", mixinStandardHelpOptions = true,
        description = "Train a shipped graph baseline quantization-aware with its recipe (resnet8 -> resnet8-w4a4;"
                + " this is how the shipped QAT network was made).")
final class QatCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "float model id: resnet8")
    String model;

    @Option(names = "--out", description = "output directory (default: ${DEFAULT-VALUE})",
            defaultValue = "src/main/resources/org/squeeze4j/models")
    Path out;

    @Option(names = "--epochs", description = "override the recipe's epochs")
    Integer epochs;

    @Override
    public Integer call() throws IOException {
        OptionChecks.atLeast("--epochs", epochs, 1);
        QatReference ref = QatReference.ofDense(model);
        QatRecipe recipe = ref.recipe();
        if (epochs != null) {
            TrainingRecipe t = recipe.fineTune();
            recipe = new QatRecipe(recipe.weightBits(), recipe.activationBits(), recipe.calibrationSize(),
                    new TrainingRecipe(epochs, t.batchSize(), t.learningRate(), t.seed()));
        }
        DatasetSplits data = ref.dense().data();
        ComputationGraph dense = ref.dense().pretrained();
        double denseAccuracy = Accuracy.of(dense, data.test().iterator(500));
        ComputationGraph q = recipe.prepare(dense, data);
        double ptqAccuracy = Accuracy.of(q, data.test().iterator(500));
        System.out.printf(Locale.ROOT, "QAT of %s (test accuracy %.2f%%) on %s: %s; %.2f%% after calibration (PTQ)%n",
                ref.dense().id(), 100 * denseAccuracy, data, recipe, 100 * ptqAccuracy);
        // the test set is shown after each epoch for information only: the epoch count is fixed, nothing is selected on it
        TrainingHistory history = recipe.train(q, data, Trainer.builder(), data.test().iterator(500));
        double accuracy = Accuracy.of(q, data.test().iterator(500));
        double engineAccuracy = Accuracy.of(QatConversion.toIntModel(q), data.test().iterator(500));
        Provenance p = Provenance.current();
        String command = ref.command() + (epochs == null ? "" : " --epochs " + epochs);
        QatInfo info = new QatInfo(ref.id(), ref.dense().id(), accuracy, engineAccuracy, ptqAccuracy, denseAccuracy, recipe,
                Math.round(history.seconds() * 10) / 10.0, p.machine(), p.versions(), command);
        Files.createDirectories(out);
        ModelFiles.save(q, out.resolve(ref.id() + ".zip"));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(ref.id() + ".json").toFile(), info);
        System.out.printf(Locale.ROOT, "%s: fake-quant %.2f%%, engine %.2f%% (float %.2f%%, PTQ %.2f%%) after %d epochs (%.0f s); wrote %s%n",
                ref.id(), 100 * accuracy, 100 * engineAccuracy, 100 * denseAccuracy, 100 * ptqAccuracy, recipe.fineTune().epochs(),
                history.seconds(), out.resolve(ref.id() + ".zip"));
        return 0;
    }
}
