package org.squeeze4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.prune.AgpRecipe;
import org.squeeze4j.prune.AgpRun;
import org.squeeze4j.prune.LayerSparsity;
import org.squeeze4j.prune.PrunedInfo;
import org.squeeze4j.prune.PrunedReference;
import org.squeeze4j.prune.Pruner;
import org.squeeze4j.report.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prunes a shipped baseline with its AGP recipe and writes the pruned model plus its provenance JSON. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune a shipped baseline with its gradual-pruning recipe (this is how the shipped pruned models were made).")
final class PruneCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "dense model id: lenet-300-100")
    String model;

    @Option(names = "--out", description = "output directory (default: ${DEFAULT-VALUE})",
            defaultValue = "src/main/resources/org/squeeze4j/models")
    Path out;

    @Option(names = "--epochs", description = "override the recipe's total epochs")
    Integer epochs;

    @Option(names = "--target", description = "override the recipe's target sparsity")
    Double target;

    @Override
    public Integer call() throws IOException {
        PrunedReference ref = PrunedReference.of(ReferenceModel.byId(model));
        AgpRecipe recipe = ref.recipe();
        if (epochs != null) {
            recipe = recipe.withEpochs(Math.min(recipe.pruneEpochs(), epochs), epochs);
        }
        if (target != null) {
            recipe = recipe.withTarget(target);
        }
        DatasetSplits mnist = Datasets.mnist();
        MultiLayerNetwork dense = ref.dense().pretrained();
        double denseAccuracy = Accuracy.of(dense, mnist.test().iterator(1000));
        System.out.printf(Locale.ROOT, "pruning %s (test accuracy %.2f%%) on %s: %s%n", ref.dense().id(),
                100 * denseAccuracy, mnist, recipe);
        AgpRun run = recipe.run(dense, mnist, Trainer.builder());
        double accuracy = Accuracy.of(run.net(), mnist.test().iterator(1000));
        double sparsity = Pruner.sparsity(run.net(), recipe.layerScales().keySet().toArray(String[]::new));
        Map<String, Double> keep = new LinkedHashMap<>();
        for (LayerSparsity layer : Pruner.report(run.masks())) {
            keep.put(layer.layer(), layer.keepRatio());
        }
        Provenance p = Provenance.current();
        String command = ref.command() + (epochs == null ? "" : " --epochs " + epochs)
                + (target == null ? "" : " --target " + target);
        PrunedInfo info = new PrunedInfo(ref.id(), ref.dense().id(), accuracy, denseAccuracy, sparsity, keep, recipe,
                Math.round(run.history().seconds() * 10) / 10.0, p.machine(), p.versions(), command);
        Files.createDirectories(out);
        ModelFiles.save(run.net(), out.resolve(ref.id() + ".zip"));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve(ref.id() + ".json").toFile(), info);
        System.out.printf(Locale.ROOT, "%s: test accuracy %.2f%% (dense %.2f%%) at sparsity %.4f, keep %s (%.0f s); wrote %s%n",
                ref.id(), 100 * accuracy, 100 * denseAccuracy, sparsity, keep, run.history().seconds(),
                out.resolve(ref.id() + ".zip"));
        return 0;
    }
}
