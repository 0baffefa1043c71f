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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.models.TrainingHistory;
import org.squeeze4j.models.TrainingRecipe;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.prune.AgpRecipe;
import org.squeeze4j.prune.AgpRun;
import org.squeeze4j.prune.LayerSparsity;
import org.squeeze4j.prune.PrunedInfo;
import org.squeeze4j.prune.PrunedReference;
import org.squeeze4j.prune.Pruner;
import org.squeeze4j.prune.structured.ChannelPrunedInfo;
import org.squeeze4j.prune.structured.ChannelPrunedReference;
import org.squeeze4j.prune.structured.ChannelRecipe;
import org.squeeze4j.report.Provenance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prunes a shipped baseline with its AGP recipe and writes the pruned model plus its provenance JSON. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune a shipped baseline with its recipe: gradual pruning for lenet-300-100, channel pruning for resnet8"
                + " (this is how the shipped pruned models were made).")
final class PruneCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "dense model id: lenet-300-100 (gradual pruning) or resnet8 (channel pruning)")
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
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.fraction("--target", target);
        ChannelPrunedReference channels = ChannelPrunedReference.ofDense(model);
        if (channels != null) {
            if (target != null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--target is a sparsity for gradual pruning; "
                        + channels.dense().id() + " is channel-pruned by a fraction of channels");
            }
            return channelPrune(channels);
        }
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

    private Integer channelPrune(ChannelPrunedReference ref) throws IOException {
        ChannelRecipe recipe = ref.recipe();
        if (epochs != null) {
            TrainingRecipe t = recipe.fineTune();
            recipe = new ChannelRecipe(recipe.fraction(), recipe.sampleSize(),
                    new TrainingRecipe(epochs, t.batchSize(), t.learningRate(), t.seed()));
        }
        DatasetSplits data = ref.dense().data();
        ComputationGraph dense = ref.dense().pretrained();
        double denseAccuracy = Accuracy.of(dense, data.test().iterator(500));
        ComputationGraph pruned = recipe.prune(dense, data);
        double prunedAccuracy = Accuracy.of(pruned, data.test().iterator(500));
        System.out.printf(Locale.ROOT, "channel-pruning %s (test accuracy %.2f%%) on %s: %s; %.2f%% before fine-tuning%n",
                ref.dense().id(), 100 * denseAccuracy, data, recipe, 100 * prunedAccuracy);
        TrainingHistory history = recipe.fineTune(pruned, data, Trainer.builder());
        double accuracy = Accuracy.of(pruned, data.test().iterator(500));
        Map<String, Long> widths = new LinkedHashMap<>();
        for (LayerNode n : NetworkView.of(pruned).weighted()) {
            widths.put(n.name(), n.outputChannels());
        }
        Provenance p = Provenance.current();
        String command = ref.command() + (epochs == null ? "" : " --epochs " + epochs);
        ChannelPrunedInfo info = new ChannelPrunedInfo(ref.id(), ref.dense().id(), accuracy, prunedAccuracy, denseAccuracy,
                ModelMeasure.of(ref.id(), pruned).macs(), ModelMeasure.of(ref.dense().id(), dense).macs(), widths, recipe,
                Math.round(history.seconds() * 10) / 10.0, p.machine(), p.versions(), command);
        Files.createDirectories(out);
        ModelFiles.save(pruned, out.resolve(ref.id() + ".zip"));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(ref.id() + ".json").toFile(), info);
        System.out.printf(Locale.ROOT, "%s: test accuracy %.2f%% (dense %.2f%%) at %,d of %,d MACs (%.0f s); wrote %s%n",
                ref.id(), 100 * accuracy, 100 * denseAccuracy, info.macs(), info.denseMacs(), history.seconds(),
                out.resolve(ref.id() + ".zip"));
        return 0;
    }
}
