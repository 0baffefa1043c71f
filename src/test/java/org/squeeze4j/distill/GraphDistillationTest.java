package org.squeeze4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.models.Models;

/** Distillation with {@code ComputationGraph} teachers and students (a ResNet teaching a narrower ResNet). */
class GraphDistillationTest {

    @Test
    void graphLogitsAreWhatTheSoftmaxIsAppliedTo() {
        ComputationGraph teacher = Models.resnet8(3, 1e-3, 4);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 784);
        INDArray z = TeacherLogits.of(teacher, x);
        assertEquals(5, z.rows());
        assertEquals(10, z.columns());
        INDArray p = teacher.outputSingle(false, x);
        assertTrue(Transforms.softmax(z, true).equalsWithEps(p, 1e-5), "softmax(logits) must be the graph's output");
        // and not merely shift-equivalent to log p: the logits are the output layer's pre-activation
        INDArray pool = teacher.feedForward(x, false).get("pool");
        INDArray byHand = pool.mmul(teacher.getLayer("fc").getParam("W")).addiRowVector(teacher.getLayer("fc").getParam("b"));
        assertTrue(byHand.equalsWithEps(z, 1e-5));
    }

    @Test
    void graphStudentEmitsLogitsTrainsOnTheDistillationLossAndLeavesTheTemplateAlone() {
        ComputationGraph template = Models.resnet8(4, 1e-3, 2);
        DistillationLoss loss = new DistillationLoss(4, 0.9);
        ComputationGraph student = Distillation.student(template, loss);
        OutputLayer out = (OutputLayer) student.getLayer("fc").conf().getLayer();
        assertTrue(out.getActivationFn() instanceof ActivationIdentity);
        assertEquals(loss, out.getLossFn());
        assertFalse(((OutputLayer) template.getLayer("fc").conf().getLayer()).getActivationFn() instanceof ActivationIdentity);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 784);
        assertTrue(student.outputSingle(false, x).equalsWithEps(TeacherLogits.of(template, x), 1e-5));

        // one step on [one-hot | teacher logits] labels changes the student, never the template
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 3, 10);
        for (int i = 0; i < 3; i++) {
            oneHot.putScalar(i, i, 1f);
        }
        INDArray labels = Nd4j.hstack(oneHot, TeacherLogits.of(Models.resnet8(5, 1e-3, 2), x));
        INDArray before = template.params().dup();
        student.fit(new DataSet(x, labels));
        assertEquals(before, template.params());
        assertFalse(student.params().equalsWithEps(before, 1e-7));
        assertTrue(Double.isFinite(student.score()));
        Distillation.checkCompatible(template, student);

        // back to a plain DL4J classifier: softmax of the student's logits
        ComputationGraph classifier = Distillation.classifier(student);
        assertTrue(((OutputLayer) classifier.getLayer("fc").conf().getLayer()).getLossFn()
                instanceof org.nd4j.linalg.lossfunctions.impl.LossMCXENT);
        assertTrue(classifier.outputSingle(false, x).equalsWithEps(Transforms.softmax(student.outputSingle(false, x), true), 1e-5));
        assertEquals(student.params(), classifier.params());
    }

    @Test
    void graphsWithoutOneDenseOutputLayerAreRefusedByName() {
        ComputationGraph twoOutputs = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(4).nOut(3).build(), "in")
                .addLayer("a", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2).activation(Activation.SOFTMAX).build(), "h")
                .addLayer("b", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2).activation(Activation.SOFTMAX).build(), "h")
                .setOutputs("a", "b").build());
        twoOutputs.init();
        String msg = assertThrows(IllegalArgumentException.class,
                () -> TeacherLogits.of(twoOutputs, Nd4j.rand(DataType.FLOAT, 2, 4))).getMessage();
        assertTrue(msg.contains("2 outputs") && msg.contains("[a, b]"), msg);

        ComputationGraph addAtTheEnd = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(4).nOut(4).build(), "in")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "h", "in")
                .setOutputs("sum").build());
        addAtTheEnd.init();
        msg = assertThrows(IllegalArgumentException.class,
                () -> Distillation.student(addAtTheEnd, DistillationLoss.hardLabels())).getMessage();
        assertTrue(msg.contains("sum") && msg.contains("OutputLayer"), msg);
    }
}
