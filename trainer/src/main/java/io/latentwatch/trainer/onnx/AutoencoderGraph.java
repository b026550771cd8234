package io.latentwatch.trainer.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.latentwatch.core.bundle.BundleContract;
import io.latentwatch.core.bundle.Normalisation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Writes a dense autoencoder as one ONNX graph (opset 17) that does all the serving maths: normalisation,
 * encoder, decoder, de-normalisation, per-element squared error and the mean score.
 *
 * <pre>
 *   xn  = (input - mean) / scale
 *   z   = encoder(xn)                          -> latent
 *   rn  = decoder(z)
 *   reconstruction = rn * scale + mean
 *   feature_error  = (rn - xn)^2               (normalised units, so features weigh alike)
 *   score          = mean(feature_error, axis 1)
 * </pre>
 */
public final class AutoencoderGraph {
    /** The opset every exported graph declares. */
    public static final int OPSET = 17;
    static final long IR_VERSION = 8; // the IR version that goes with opset 17

    private AutoencoderGraph() {}

    /** A dense autoencoder (the foundation's graph): latent width from the encoder's last layer. */
    public static byte[] build(String graphName, List<DenseLayer> encoder, List<DenseLayer> decoder,
                               Normalisation normalisation) {
        if (encoder.isEmpty()) {
            throw new IllegalArgumentException("encoder and decoder need at least one layer each");
        }
        return build(graphName, List.copyOf(encoder), List.copyOf(decoder), normalisation,
                encoder.get(encoder.size() - 1).outputs(), null);
    }

    /**
     * Any autoencoder of the trainer's families. The encoder's output is the latent code; for a VAE the
     * encoder's last layer is the mean head and {@code variational} holds the log-variance head, which reads
     * the same input as the mean head.
     *
     * @param latentDim width of the encoder's output
     * @param variational the VAE's log-variance head and score settings, or null for a deterministic code
     */
    public static byte[] build(String graphName, List<GraphLayer> encoder, List<GraphLayer> decoder,
                               Normalisation normalisation, int latentDim, VariationalHead variational) {
        return build(graphName, encoder, decoder, normalisation, latentDim, variational, null);
    }

    public static byte[] build(String graphName, List<GraphLayer> encoder, List<GraphLayer> decoder,
                               Normalisation normalisation, int latentDim, VariationalHead variational,
                               LatentDistance latentDistance) {
        int width = normalisation.width();
        if (encoder.isEmpty() || decoder.isEmpty()) {
            throw new IllegalArgumentException("encoder and decoder need at least one layer each");
        }
        if (encoder.get(0) instanceof DenseLayer first && first.inputs() != width
                || decoder.get(decoder.size() - 1) instanceof DenseLayer last && last.outputs() != width) {
            throw new IllegalArgumentException("network width does not match the normalisation width " + width);
        }
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(graphName);
        g.addInput(tensorInfo(BundleContract.INPUT, width));
        g.addInitializer(floats("norm_mean", toFloat(normalisation.mean()), width));
        g.addInitializer(floats("norm_scale", toFloat(normalisation.scale()), width));
        g.addNode(node("Sub", "normalise_sub", List.of(BundleContract.INPUT, "norm_mean"), "centred"));
        g.addNode(node("Div", "normalise_div", List.of("centred", "norm_scale"), "xn"));

        String trunk = layers(g, "enc", encoder.subList(0, encoder.size() - 1), "xn");
        String encoded = layers(g, "enc" + (encoder.size() - 1), encoder.subList(encoder.size() - 1, encoder.size()), trunk);
        g.addNode(node("Identity", "latent_out", List.of(encoded), BundleContract.LATENT));
        String rn = layers(g, "dec", decoder, encoded);

        g.addNode(node("Mul", "denormalise_mul", List.of(rn, "norm_scale"), "rescaled"));
        g.addNode(node("Add", "denormalise_add", List.of("rescaled", "norm_mean"), BundleContract.RECONSTRUCTION));
        g.addNode(node("Sub", "error_sub", List.of(rn, "xn"), "residual"));
        g.addNode(node("Mul", "error_square", List.of("residual", "residual"), BundleContract.FEATURE_ERROR));
        String baseScore = latentDistance != null ? "base_score" : BundleContract.SCORE;
        String meanError = variational != null && variational.negativeElboScore() ? "mean_error" : baseScore;
        g.addNode(rowMean("score_mean", BundleContract.FEATURE_ERROR, meanError));
        if (variational != null && variational.negativeElboScore()) {
            // score = mean_error + beta * KL / D, KL = -0.5 * sum_j(1 + lv - mu^2 - exp(lv)) = -0.5 * L * mean_j(...)
            String lv = layers(g, "logvar", List.of(variational.logVariance()), trunk);
            g.addInitializer(floats("kl_one", new float[] {1f}));
            g.addInitializer(floats("kl_coeff", new float[] {(float) (-0.5 * variational.beta() * latentDim / width)}));
            g.addNode(node("Add", "kl_one_plus", List.of("kl_one", lv), "kl_a"));
            g.addNode(node("Mul", "kl_mu_sq", List.of(encoded, encoded), "kl_mu2"));
            g.addNode(node("Sub", "kl_sub_mu", List.of("kl_a", "kl_mu2"), "kl_b"));
            g.addNode(node("Exp", "kl_exp", List.of(lv), "kl_var"));
            g.addNode(node("Sub", "kl_sub_var", List.of("kl_b", "kl_var"), "kl_terms"));
            g.addNode(rowMean("kl_mean", "kl_terms", "kl_mean_terms"));
            g.addNode(node("Mul", "kl_scale", List.of("kl_mean_terms", "kl_coeff"), "kl_weighted"));
            g.addNode(node("Add", "elbo_score", List.of(meanError, "kl_weighted"), baseScore));
        }
        if (latentDistance != null) {
            g.addInitializer(floats("lat_mean", latentDistance.mean(), latentDim));
            g.addInitializer(floats("lat_scale", latentDistance.scale(), latentDim));
            g.addInitializer(floats("lat_weight", new float[] {latentDistance.weight()}));
            g.addNode(node("Sub", "lat_sub", List.of(encoded, "lat_mean"), "lat_centred"));
            g.addNode(node("Div", "lat_div", List.of("lat_centred", "lat_scale"), "lat_z"));
            g.addNode(node("Mul", "lat_square", List.of("lat_z", "lat_z"), "lat_z2"));
            g.addNode(rowMean("lat_mean_sq", "lat_z2", "lat_distance"));
            g.addNode(node("Mul", "lat_weighted", List.of("lat_distance", "lat_weight"), "lat_term"));
            g.addNode(node("Add", "score_with_latent", List.of(baseScore, "lat_term"), BundleContract.SCORE));
        }

        g.addOutput(tensorInfo(BundleContract.LATENT, latentDim));
        g.addOutput(tensorInfo(BundleContract.RECONSTRUCTION, width));
        g.addOutput(tensorInfo(BundleContract.FEATURE_ERROR, width));
        g.addOutput(tensorInfo(BundleContract.SCORE, -1));

        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("latentwatch")
                .setGraph(g)
                .build()
                .toByteArray();
    }

    /**
     * The log-variance head of a VAE and how its score is computed.
     *
     * @param logVariance dense head from the encoder trunk to log sigma^2
     * @param beta weight of the KL term
     * @param negativeElboScore score = reconstruction error + beta * KL / inputWidth instead of the error alone
     */
    public record VariationalHead(DenseLayer logVariance, double beta, boolean negativeElboScore) {}

    /**
     * Adds {@code weight * mean_j(((z_j - mean_j) / scale_j)^2)} to the score: how far the code lies from the codes of
     * normal rows, which finds rows the decoder reconstructs well but the data never held (a shifted level).
     */
    public record LatentDistance(float[] mean, float[] scale, float weight) {}

    /** The mean over each row (axis 1), one value per row. */
    private static OnnxMl.NodeProto.Builder rowMean(String nodeName, String input, String output) {
        return node("ReduceMean", nodeName, List.of(input), output)
                .addAttribute(ints("axes", 1))
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("keepdims")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(0));
    }

    private static String layers(OnnxMl.GraphProto.Builder g, String prefix, List<? extends GraphLayer> layers,
                             String input) {
        String current = input;
        for (int i = 0; i < layers.size(); i++) {
            String p = prefix + "_" + i;
            GraphLayer layer = layers.get(i);
            if (layer instanceof DenseLayer d) {
                g.addInitializer(floats(p + "_w", d.weight(), d.outputs(), d.inputs()));
                g.addInitializer(floats(p + "_b", d.bias(), d.outputs()));
                g.addNode(node("Gemm", p + "_gemm", List.of(current, p + "_w", p + "_b"), p + "_affine")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("transB")
                                .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
                current = activation(g, p, d.activation(), p + "_affine");
            } else if (layer instanceof GraphLayer.Conv c) {
                g.addInitializer(floats(p + "_w", c.weight(), c.outChannels(), c.inChannels(), c.kernel(), c.kernel()));
                g.addInitializer(floats(p + "_b", c.bias(), c.outChannels()));
                int pad = c.kernel() / 2;
                g.addNode(node("Conv", p + "_conv", List.of(current, p + "_w", p + "_b"), p + "_affine")
                        .addAttribute(ints("kernel_shape", c.kernel(), c.kernel()))
                        .addAttribute(ints("pads", pad, pad, pad, pad))
                        .addAttribute(ints("strides", 1, 1)));
                current = activation(g, p, c.activation(), p + "_affine");
            } else if (layer instanceof GraphLayer.MaxPool) {
                g.addNode(node("MaxPool", p + "_maxpool", List.of(current), p + "_pooled")
                        .addAttribute(ints("kernel_shape", 2, 2))
                        .addAttribute(ints("strides", 2, 2)));
                current = p + "_pooled";
            } else if (layer instanceof GraphLayer.Upsample) {
                g.addInitializer(floats(p + "_scales", new float[] {1f, 1f, 2f, 2f}, 4));
                // inputs: X, roi (empty), scales; asymmetric + floor makes nearest a plain repeat, as in training
                g.addNode(node("Resize", p + "_resize", List.of(current, "", p + "_scales"), p + "_up")
                        .addAttribute(string("mode", "nearest"))
                        .addAttribute(string("coordinate_transformation_mode", "asymmetric"))
                        .addAttribute(string("nearest_mode", "floor")));
                current = p + "_up";
            } else if (layer instanceof GraphLayer.Reshape r) {
                long[] dims = new long[r.shape().size() + 1];
                dims[0] = -1;
                for (int k = 0; k < r.shape().size(); k++) {
                    dims[k + 1] = r.shape().get(k);
                }
                g.addInitializer(longs(p + "_shape", dims));
                g.addNode(node("Reshape", p + "_reshape", List.of(current, p + "_shape"), p + "_reshaped"));
                current = p + "_reshaped";
            } else {
                throw new IllegalArgumentException("cannot export " + layer);
            }
        }
        return current;
    }

    private static String activation(OnnxMl.GraphProto.Builder g, String p, DenseLayer.Activation activation,
                                     String input) {
        return switch (activation) {
            case IDENTITY -> input;
            case RELU -> {
                g.addNode(node("Relu", p + "_relu", List.of(input), p + "_act"));
                yield p + "_act";
            }
            case SIGMOID -> {
                g.addNode(node("Sigmoid", p + "_sigmoid", List.of(input), p + "_act"));
                yield p + "_act";
            }
        };
    }

    private static OnnxMl.AttributeProto.Builder string(String name, String value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value));
    }

    static OnnxMl.TensorProto longs(String name, long[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        buf.flip();
        return OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .setRawData(ByteString.copyFrom(buf)).addDims(values.length).build();
    }

    static OnnxMl.NodeProto.Builder node(String op, String name, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
    }

    static OnnxMl.AttributeProto.Builder ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a;
    }

    static OnnxMl.TensorProto floats(String name, float[] values, long... dims) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        buf.flip();
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(buf));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A float tensor [batch, width], or [batch] when width is negative. */
    static OnnxMl.ValueInfoProto tensorInfo(String name, long width) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        if (width >= 0) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
