package org.squeeze4j.distill;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.models.TrainingHistory;
import org.squeeze4j.models.TrainingRecipe;

/**
 * Knowledge distillation of a ResNet-8 teacher into a narrower ResNet-8 trained from scratch
 * (Hinton et al. 2015): the student {@code Models.resnet8(seed, learningRate, studentWidth)} learns
 * from {@code transferSize} training images with the loss
 * <pre>
 *   L = (1 - alpha) CE(y, softmax(z_S)) + alpha T^2 KL(softmax(z_T / T) || softmax(z_S / T))
 * </pre>
 * with Adam at {@code lr(e) = learningRate * Models.LR_DECAY^e}. The control is the same student,
 * same initial weights, same images in the same order, trained with {@code alpha = 0}: what the
 * teacher's soft targets add is the difference of the two.
 *
 * @param studentWidth  channels of the student's first block (the teacher's is {@code ReferenceGraph.RESNET8.width()})
 * @param transferSize  training images of the transfer set; a small set is where soft targets help most
 * @param temperature   softmax temperature T
 * @param alpha         weight of the teacher term
 * @param training      epochs, batch size, learning rate and seed
 */
public record DistillRecipe(int studentWidth, int transferSize, double temperature, double alpha, TrainingRecipe training) {
    public DistillRecipe {
        if (studentWidth <= 0) {
            throw new IllegalArgumentException("student width must be positive, got " + studentWidth);
        }
        if (transferSize <= 0) {
            throw new IllegalArgumentException("transfer set size must be positive, got " + transferSize);
        }
        new DistillationLoss(temperature, alpha);   // validates them
    }

    /** The distillation loss of this recipe. */
    public DistillationLoss loss() {
        return new DistillationLoss(temperature, alpha);
    }

    /** The untrained student with {@code loss} on its logits. */
    public ComputationGraph student(DistillationLoss loss) {
        return Distillation.student(Models.resnet8(training.seed(), training.learningRate(), studentWidth), loss);
    }

    /** The transfer set: {@code transferSize} training images of {@code data}, the recipe's seed, with {@code teacher}'s logits. */
    public TransferSet transferSet(Model teacher, DatasetSplits data) {
        if (transferSize > data.train().size()) {
            throw new IllegalArgumentException("the transfer set of " + transferSize + " images is larger than " + data.train().name()
                    + " (" + data.train().size() + " images)");
        }
        IdxDataset images = data.train().subset(transferSize, training.seed());
        return TransferSet.of(images, TeacherLogits.of(teacher, images, 250));
    }

    /** Trains {@code student} in place on {@code transfer}. */
    public TrainingHistory train(ComputationGraph student, TransferSet transfer, Trainer.Builder trainer) {
        return trainer.epochs(training.epochs()).build().fit(student, transfer.iterator(training.batchSize(), training.seed()), null);
    }
}
