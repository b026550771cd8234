package io.latentwatch.it;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.latentwatch.core.bundle.BundleContract;
import io.latentwatch.core.bundle.ModelBundle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * A real bundle whose ONNX graph fails inside ONNX Runtime for some inputs: when any row of a batch has its first
 * raw input value above a limit, the graph's last step gathers the scores at indices out of range, which ONNX
 * Runtime refuses at run time ("indices element out of data bounds"). Every other batch scores exactly as the
 * original model does. No mock: the service under test loads, checks and runs this bundle like any other.
 */
final class PoisonedModel {
    private PoisonedModel() {}

    /** Writes the poisoned copy of {@code bundle} to {@code dir}. */
    static ModelBundle write(ModelBundle bundle, Path dir, float firstValueLimit) {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bundle.onnxModel());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("not an ONNX model: " + bundle.directory(), e);
        }
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        boolean renamed = false;
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto n = g.getNode(i);
            int out = n.getOutputList().indexOf(BundleContract.SCORE);
            if (out >= 0) {
                g.setNode(i, n.toBuilder().setOutput(out, "score_raw"));
                renamed = true;
            }
        }
        if (!renamed) {
            throw new IllegalStateException("no node produces " + BundleContract.SCORE);
        }
        g.addInitializer(longScalar("poison_zero", 0));
        g.addInitializer(longScalar("poison_one", 1));
        g.addInitializer(longScalar("poison_offset", 1_000_000_000L));
        g.addInitializer(floatScalar("poison_limit", firstValueLimit));
        g.addNode(node("Gather", List.of(BundleContract.INPUT, "poison_zero"), "poison_first")
                .addAttribute(intAttribute("axis", 1)));
        g.addNode(node("ReduceMax", List.of("poison_first"), "poison_max").addAttribute(intAttribute("keepdims", 0)));
        g.addNode(node("Greater", List.of("poison_max", "poison_limit"), "poison_hit"));
        g.addNode(node("Cast", List.of("poison_hit"), "poison_hit_i")
                .addAttribute(intAttribute("to", OnnxMl.TensorProto.DataType.INT64.getNumber())));
        g.addNode(node("Mul", List.of("poison_hit_i", "poison_offset"), "poison_shift"));
        g.addNode(node("Shape", List.of("score_raw"), "poison_shape"));
        g.addNode(node("Gather", List.of("poison_shape", "poison_zero"), "poison_rows").addAttribute(intAttribute("axis", 0)));
        g.addNode(node("Range", List.of("poison_zero", "poison_rows", "poison_one"), "poison_index"));
        g.addNode(node("Add", List.of("poison_index", "poison_shift"), "poison_gather_at"));
        g.addNode(node("Gather", List.of("score_raw", "poison_gather_at"), BundleContract.SCORE)
                .addAttribute(intAttribute("axis", 0)));
        byte[] bytes = model.toBuilder().setGraph(g).build().toByteArray();
        return ModelBundle.write(dir, bundle.manifest(), bytes);
    }

    private static OnnxMl.NodeProto.Builder node(String op, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output + "_node").addAllInput(inputs).addOutput(output);
    }

    private static OnnxMl.AttributeProto.Builder intAttribute(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value);
    }

    private static OnnxMl.TensorProto longScalar(String name, long value) {
        ByteBuffer buf = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(value).flip();
        return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .setRawData(ByteString.copyFrom(buf)).build();
    }

    private static OnnxMl.TensorProto floatScalar(String name, float value) {
        ByteBuffer buf = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).flip();
        return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(buf)).build();
    }
}
