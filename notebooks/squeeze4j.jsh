// squeeze4j notebook set-up: loaded by the first cell of every notebook with  %load squeeze4j.jsh
// The toolkit itself is on the kernel's classpath (./s4j setup installs the kernel that way);
// this file only imports it, so that every notebook starts from the same names.
import java.util.*;
import java.util.stream.*;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.evaluation.classification.Evaluation;
import tech.tablesaw.api.*;
import org.squeeze4j.data.*;
import org.squeeze4j.models.*;
import org.squeeze4j.measure.*;
import org.squeeze4j.report.*;
import org.squeeze4j.notebook.*;
org.squeeze4j.util.OneDnn.enable();   // DL4J trains convolutions through libnd4j/oneDNN, not its im2col path
System.out.println(Provenance.current().versions() + " | " + Provenance.current().machine() + " | datasets: "
        + java.nio.file.Path.of("").toAbsolutePath().relativize(Datasets.root().toAbsolutePath()));
