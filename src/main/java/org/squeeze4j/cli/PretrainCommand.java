package org.squeeze4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.PretrainedInfo;
import org.squeeze4j.models.Reference;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.models.TrainingHistory;
import org.squeeze4j.models.TrainingRecipe;
import org.squeeze4j.report.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Trains a reference model on its dataset with its recipe and writes the model plus its provenance JSON. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Train a reference model with its recipe: the LeNets on MNIST, resnet8 and dwnet on Fashion-MNIST "
                + "(this is how the shipped baselines were made).")
final class PretrainCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "model id: lenet-300-100, lenet-5, lenet-5-caffe, resnet8 or dwnet")
    String model;

    @Option(names = "--out", description = "output directory (default: ${DEFAULT-VALUE})",
            defaultValue = "src/main/resources/org/squeeze4j/models")
    Path out;

    @Option(names = "--epochs", description = "override the recipe's epochs")
    Integer epochs;

    @Option(names = "--seed", description = "override the recipe's seed")
    Long seed;

    @Option(names = "--progress-every", description = "print the running loss every N mini-batches (default: ${DEFAULT-VALUE})",
            defaultValue = "200")
    int progressEvery;

    @Override
    public Integer call() throws IOException {
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.atLeast("--progress-every", progressEvery, 0);
        Reference<?> ref = Reference.byId(model);
        TrainingRecipe base = ref.recipe();
        TrainingRecipe recipe = new TrainingRecipe(epochs == null ? base.epochs() : epochs, base.batchSize(),
                base.learningRate(), seed == null ? base.seed() : seed);
        DatasetSplits data = ref.data();
        Model net = ref.create(recipe.seed(), recipe.learningRate());
        System.out.printf(Locale.ROOT, "training %s on %s: %s%n", ref.id(), data, recipe);
        // the test set is shown after each epoch for information only: the epoch count is fixed, nothing is selected on it
        TrainingHistory history = Trainer.builder().epochs(recipe.epochs()).progressEveryBatches(progressEvery).build()
                .fit(net, data.train().shuffledIterator(recipe.batchSize(), recipe.seed()), data.test().iterator(1000));
        double accuracy = Accuracy.of(net, data.test().iterator(1000));
        Provenance p = Provenance.current();
        String command = "./s4j pretrain " + ref.id()
                + (epochs == null ? "" : " --epochs " + epochs) + (seed == null ? "" : " --seed " + seed);
        PretrainedInfo info = new PretrainedInfo(ref.id(), data.name(), accuracy, recipe, Math.round(history.seconds() * 10) / 10.0,
                p.machine(), p.versions(), command);
        Files.createDirectories(out);
        ModelFiles.save(net, out.resolve(ref.id() + ".zip"));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve(ref.id() + ".json").toFile(), info);
        System.out.printf(Locale.ROOT, "%s: test accuracy %.2f%% after %d epochs (%.0f s); wrote %s%n",
                ref.id(), 100 * accuracy, recipe.epochs(), history.seconds(), out.resolve(ref.id() + ".zip"));
        return 0;
    }
}
