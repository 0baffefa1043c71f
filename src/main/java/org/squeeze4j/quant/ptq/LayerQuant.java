package org.squeeze4j.quant.ptq;

import org.squeeze4j.quant.QParams;

/**
 * What PTQ did to one weighted layer.
 *
 * @param index layer index in the network
 * @param name layer name
 * @param weightQParams the weight grid's scales (one per output channel, or one)
 * @param weightMse mean squared error between float and fake-quantized weights (after any correction)
 * @param biasShift L2 norm of the bias change made by bias correction (0 without it)
 * @param activationQParams the output grid (the pre-activation grid for the output layer), or null
 *        for weight-only PTQ
 */
public record LayerQuant(int index, String name, QParams weightQParams, double weightMse, double biasShift,
                         QParams activationQParams) {
}
