package io.latentwatch.trainer.onnx;

/**
 * Weights of one fully connected layer, {@code y = act(x W^T + b)}, as exported from the trained network.
 *
 * @param weight row-major [outputs][inputs]
 * @param bias [outputs]
 * @param inputs input width
 * @param outputs output width
 * @param activation applied after the affine map
 */
public record DenseLayer(float[] weight, float[] bias, int inputs, int outputs, Activation activation)
        implements GraphLayer {

    /** Activations the exporter knows how to write. */
    public enum Activation { IDENTITY, RELU, SIGMOID }

    public DenseLayer {
        if (weight.length != inputs * outputs || bias.length != outputs) {
            throw new IllegalArgumentException("layer " + inputs + "->" + outputs + " has " + weight.length
                    + " weights and " + bias.length + " biases");
        }
        weight = weight.clone();
        bias = bias.clone();
    }

    @Override
    public float[] weight() {
        return weight.clone();
    }

    @Override
    public float[] bias() {
        return bias.clone();
    }
}
