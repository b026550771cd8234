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
    private static final long IR_VERSION = 8; // the IR version that goes with opset 17

    private AutoencoderGraph() {}

    public static byte[] build(String graphName, List<DenseLayer> encoder, List<DenseLayer> decoder,
                               Normalisation normalisation) {
        int width = normalisation.width();
        if (encoder.isEmpty() || decoder.isEmpty()) {
            throw new IllegalArgumentException("encoder and decoder need at least one layer each");
        }
        if (encoder.get(0).inputs() != width || decoder.get(decoder.size() - 1).outputs() != width) {
            throw new IllegalArgumentException("network width does not match the normalisation width " + width);
        }
        int latentDim = encoder.get(encoder.size() - 1).outputs();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(graphName);
        g.addInput(tensorInfo(BundleContract.INPUT, width));
        g.addInitializer(floats("norm_mean", toFloat(normalisation.mean()), width));
        g.addInitializer(floats("norm_scale", toFloat(normalisation.scale()), width));
        g.addNode(node("Sub", "normalise_sub", List.of(BundleContract.INPUT, "norm_mean"), "centred"));
        g.addNode(node("Div", "normalise_div", List.of("centred", "norm_scale"), "xn"));

        String encoded = layers(g, "enc", encoder, "xn");
        g.addNode(node("Identity", "latent_out", List.of(encoded), BundleContract.LATENT));
        String rn = layers(g, "dec", decoder, encoded);

        g.addNode(node("Mul", "denormalise_mul", List.of(rn, "norm_scale"), "rescaled"));
        g.addNode(node("Add", "denormalise_add", List.of("rescaled", "norm_mean"), BundleContract.RECONSTRUCTION));
        g.addNode(node("Sub", "error_sub", List.of(rn, "xn"), "residual"));
        g.addNode(node("Mul", "error_square", List.of("residual", "residual"), BundleContract.FEATURE_ERROR));
        g.addNode(node("ReduceMean", "score_mean", List.of(BundleContract.FEATURE_ERROR), BundleContract.SCORE)
                .addAttribute(ints("axes", 1))
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("keepdims")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(0)));

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

    private static String layers(OnnxMl.GraphProto.Builder g, String prefix, List<DenseLayer> layers, String input) {
        String current = input;
        for (int i = 0; i < layers.size(); i++) {
            DenseLayer layer = layers.get(i);
            String p = prefix + i;
            g.addInitializer(floats(p + "_w", layer.weight(), layer.outputs(), layer.inputs()));
            g.addInitializer(floats(p + "_b", layer.bias(), layer.outputs()));
            String affine = p + "_affine";
            g.addNode(node("Gemm", p + "_gemm", List.of(current, p + "_w", p + "_b"), affine)
                    .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("transB")
                            .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
            current = switch (layer.activation()) {
                case IDENTITY -> affine;
                case RELU -> {
                    g.addNode(node("Relu", p + "_relu", List.of(affine), p + "_act"));
                    yield p + "_act";
                }
                case SIGMOID -> {
                    g.addNode(node("Sigmoid", p + "_sigmoid", List.of(affine), p + "_act"));
                    yield p + "_act";
                }
            };
        }
        return current;
    }

    private static OnnxMl.NodeProto.Builder node(String op, String name, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
    }

    private static OnnxMl.AttributeProto.Builder ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a;
    }

    private static OnnxMl.TensorProto floats(String name, float[] values, long... dims) {
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
    private static OnnxMl.ValueInfoProto tensorInfo(String name, long width) {
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
