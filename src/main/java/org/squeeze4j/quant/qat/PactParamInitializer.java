package org.squeeze4j.quant.qat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One parameter {@code alpha} of shape [1, 1], initialised to {@link PactLayer#alphaInit()}. */
final class PactParamInitializer implements ParamInitializer {
    static final PactParamInitializer INSTANCE = new PactParamInitializer();

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return 1;
    }

    @Override
    public long numParams(Layer layer) {
        return 1;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return Collections.singletonList(PactLayer.ALPHA);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return false;
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        if (paramsView.length() != 1) {
            throw new IllegalStateException("PACT layer expects a params view of length 1, got " + paramsView.length());
        }
        INDArray alpha = paramsView.reshape(1, 1);
        if (initializeParams) {
            alpha.assign(((PactLayer) conf.getLayer()).alphaInit());
        }
        Map<String, INDArray> out = Collections.synchronizedMap(new LinkedHashMap<>());
        out.put(PactLayer.ALPHA, alpha);
        conf.addVariable(PactLayer.ALPHA);
        return out;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(PactLayer.ALPHA, gradientView.reshape(1, 1));
        return out;
    }
}
