package io.latentwatch.trainer.onnx;

import java.util.List;

/** One exportable step of an encoder or decoder, with its trained weights where it has any. */
public sealed interface GraphLayer
        permits DenseLayer, GraphLayer.Conv, GraphLayer.MaxPool, GraphLayer.Upsample, GraphLayer.Reshape {

    /**
     * A 3x3-style convolution with "same" padding (kernel / 2), stride 1, NCHW.
     *
     * @param weight [outChannels][inChannels][kernel][kernel], row-major
     */
    record Conv(float[] weight, float[] bias, int inChannels, int outChannels, int kernel,
                DenseLayer.Activation activation) implements GraphLayer {
        public Conv {
            if (weight.length != outChannels * inChannels * kernel * kernel || bias.length != outChannels
                    || kernel % 2 != 1) {
                throw new IllegalArgumentException("conv " + inChannels + "->" + outChannels + " k" + kernel + " has "
                        + weight.length + " weights and " + bias.length + " biases (kernel must be odd)");
            }
            weight = weight.clone();
            bias = bias.clone();
        }
    }

    /** 2x2 max pooling with stride 2. */
    record MaxPool() implements GraphLayer {}

    /** Nearest-neighbour upsampling by 2 in height and width (ONNX Resize). */
    record Upsample() implements GraphLayer {}

    /** Reshape of each sample to {@code shape} (batch kept as the first dimension). */
    record Reshape(List<Long> shape) implements GraphLayer {
        public Reshape {
            shape = List.copyOf(shape);
        }
    }
}
