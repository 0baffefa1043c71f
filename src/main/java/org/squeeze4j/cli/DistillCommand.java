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
import org.squeeze4j.distill.DistillInfo;
import org.squeeze4j.distill.DistillRecipe;
import org.squeeze4j.distill.Distillation;
import org.squeeze4j.distill.DistillationLoss;
import org.squeeze4j.distill.DistilledReference;
import org.squeeze4j.distill.TransferSet;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.models.TrainingHistory;
import org.squeeze4j.report.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Distils a shipped graph teacher into a narrower student with its recipe, and trains the same
 * student on hard labels as the control; writes the distilled student plus its provenance JSON.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Distil a shipped graph teacher into a narrower student with its recipe (resnet8 -> resnet8-kd),"
                + " beside the same student trained on hard labels; this is how the shipped student was made.")
final class DistillCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "teacher model id: resnet8")
    String teacher;

    @Option(names = "--out", description = "output directory (default: ${DEFAULT-VALUE})",
            defaultValue = "src/main/resources/org/squeeze4j/models")
    Path out;

    @Override
    public Integer call() throws IOException {
        DistilledReference ref = DistilledReference.ofTeacher(teacher);
        DistillRecipe recipe = ref.recipe();
        DatasetSplits data = ref.dense().data();
        ComputationGraph teacherNet = ref.dense().pretrained();
        double teacherAccuracy = Accuracy.of(teacherNet, data.test().iterator(500));
        TransferSet transfer = recipe.transferSet(teacherNet, data);
        System.out.printf(Locale.ROOT, "teacher %s: test accuracy %.2f%%; %s; transfer set of %d images%n",
                ref.dense().id(), 100 * teacherAccuracy, recipe, transfer.size());

        // the test set is only measured at the end: the epoch count is fixed, nothing is selected on it
        ComputationGraph control = recipe.student(DistillationLoss.hardLabels());
        recipe.train(control, transfer, Trainer.builder());
        double hardLabelAccuracy = Accuracy.of(control, data.test().iterator(500));
        System.out.printf(Locale.ROOT, "hard labels only: %.2f%%%n", 100 * hardLabelAccuracy);

        ComputationGraph student = recipe.student(recipe.loss());
        TrainingHistory history = recipe.train(student, transfer, Trainer.builder());
        double accuracy = Accuracy.of(student, data.test().iterator(500));

        Provenance p = Provenance.current();
        DistillInfo info = new DistillInfo(ref.id(), ref.dense().id(), accuracy, hardLabelAccuracy, teacherAccuracy,
                ModelMeasure.of(ref.id(), student).macs(), ModelMeasure.of(ref.dense().id(), teacherNet).macs(), recipe,
                Math.round(history.seconds() * 10) / 10.0, p.machine(), p.versions(), ref.command());
        Files.createDirectories(out);
        ModelFiles.save(Distillation.classifier(student), out.resolve(ref.id() + ".zip"));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(ref.id() + ".json").toFile(), info);
        System.out.printf(Locale.ROOT, "%s: %.2f%% distilled vs %.2f%% on hard labels (teacher %.2f%%), %,d of %,d MACs, %d epochs"
                        + " (%.0f s); wrote %s%n", ref.id(), 100 * accuracy, 100 * hardLabelAccuracy, 100 * teacherAccuracy,
                info.macs(), info.teacherMacs(), recipe.training().epochs(), history.seconds(), out.resolve(ref.id() + ".zip"));
        return 0;
    }
}
