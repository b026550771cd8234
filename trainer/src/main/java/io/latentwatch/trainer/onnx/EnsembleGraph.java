package io.latentwatch.trainer.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import io.latentwatch.core.bundle.BundleContract;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins several exported autoencoder graphs, each reading a slice of one input, into one graph with the bundle's
 * outputs, so that serving still makes one model call and does no maths of its own.
 *
 * <pre>
 *   x_k            = input[:, offset_k : offset_k + width_k]         (member k's slice, e.g. its last W_k records)
 *   s_k            = member k's score of x_k
 *   score          = exp(mean_k((log(max(s_k, 1e-12)) - mu_k) / sd_k))
 *   latent         = concat_k(latent_k)
 *   reconstruction, feature_error = those of the member that reads the whole input
 * </pre>
 *
 * <p>Why standardised logs: members' scores live on different scales (a short window reconstructs more easily than a
 * long one), and reconstruction errors are heavy-tailed; {@code mu_k} and {@code sd_k} are the mean and standard
 * deviation of member k's log score on normal (validation) rows, so every member weighs alike and the ensemble's
 * log score is the mean of its members' standardised ones. Each member's nodes and initialisers keep their names
 * behind a prefix {@code m<k>/}.
 */
public final class EnsembleGraph {
    /** Floor of a member's score before its logarithm (scores of 0 happen on constant data). */
    public static final float MIN_SCORE = 1e-12f;

    private EnsembleGraph() {}

    /**
     * One member: its exported graph, the slice of the ensemble's input it reads, and its log-score statistics on
     * normal rows.
     */
    public record Member(byte[] onnx, int offset, int width, double logScoreMean, double logScoreStd) {
        public Member {
            if (offset < 0 || width < 1 || !Double.isFinite(logScoreMean) || !(logScoreStd > 0)
                    || Double.isInfinite(logScoreStd)) {
                throw new IllegalArgumentException("member needs offset >= 0, width >= 1, a finite log-score mean and "
                        + "a positive log-score std: offset=" + offset + " width=" + width + " mean=" + logScoreMean
                        + " std=" + logScoreStd);
            }
            onnx = onnx.clone();
        }

        @Override
        public byte[] onnx() {
            return onnx.clone();
        }
    }

    /**
     * @param inputWidth width of the ensemble's input; exactly one member must read all of it (offset 0, this
     *     width): its reconstruction and per-feature error are the ensemble's
     */
    public static byte[] build(String graphName, List<Member> members, int inputWidth) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least two members, got " + members.size());
        }
        int whole = -1;
        for (int k = 0; k < members.size(); k++) {
            Member m = members.get(k);
            if (m.offset() + m.width() > inputWidth) {
                throw new IllegalArgumentException("member " + k + " reads columns [" + m.offset() + ", "
                        + (m.offset() + m.width()) + ") of an input " + inputWidth + " wide");
            }
            if (m.offset() == 0 && m.width() == inputWidth) {
                whole = whole < 0 ? k : whole;
            }
        }
        if (whole < 0) {
            throw new IllegalArgumentException("no member reads the whole input (" + inputWidth + " wide)");
        }
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(graphName);
        g.addInput(AutoencoderGraph.tensorInfo(BundleContract.INPUT, inputWidth));
        g.addInitializer(AutoencoderGraph.longs("slice_axes", new long[] {1}));
        g.addInitializer(AutoencoderGraph.floats("score_floor", new float[] {MIN_SCORE}));
        g.addInitializer(AutoencoderGraph.floats("member_share", new float[] {1f / members.size()}));
        List<String> latents = new ArrayList<>();
        List<String> standardised = new ArrayList<>();
        int latentWidth = 0;
        for (int k = 0; k < members.size(); k++) {
            Member m = members.get(k);
            String p = "m" + k + "/";
            OnnxMl.GraphProto member = parse(m.onnx(), k);
            g.addInitializer(AutoencoderGraph.longs(p + "slice_start", new long[] {m.offset()}));
            g.addInitializer(AutoencoderGraph.longs(p + "slice_end", new long[] {m.offset() + m.width()}));
            g.addNode(AutoencoderGraph.node("Slice", p + "slice", List.of(BundleContract.INPUT, p + "slice_start",
                    p + "slice_end", "slice_axes"), p + BundleContract.INPUT));
            for (OnnxMl.TensorProto t : member.getInitializerList()) {
                g.addInitializer(t.toBuilder().setName(p + t.getName()));
            }
            for (OnnxMl.NodeProto n : member.getNodeList()) {
                OnnxMl.NodeProto.Builder b = n.toBuilder().setName(p + n.getName()).clearInput().clearOutput();
                for (String in : n.getInputList()) {
                    b.addInput(in.isEmpty() ? in : p + in); // "" is an omitted optional input
                }
                for (String out : n.getOutputList()) {
                    b.addOutput(p + out);
                }
                g.addNode(b);
            }
            latents.add(p + BundleContract.LATENT);
            latentWidth += latentWidth(member, k);
            g.addInitializer(AutoencoderGraph.floats(p + "log_mean", new float[] {(float) m.logScoreMean()}));
            g.addInitializer(AutoencoderGraph.floats(p + "log_std", new float[] {(float) m.logScoreStd()}));
            g.addNode(AutoencoderGraph.node("Max", p + "score_floor", List.of(p + BundleContract.SCORE, "score_floor"),
                    p + "score_floored"));
            g.addNode(AutoencoderGraph.node("Log", p + "score_log", List.of(p + "score_floored"), p + "log_score"));
            g.addNode(AutoencoderGraph.node("Sub", p + "score_centre", List.of(p + "log_score", p + "log_mean"),
                    p + "log_centred"));
            g.addNode(AutoencoderGraph.node("Div", p + "score_standardise", List.of(p + "log_centred", p + "log_std"),
                    p + "log_standardised"));
            standardised.add(p + "log_standardised");
        }
        String wp = "m" + whole + "/";
        g.addNode(AutoencoderGraph.node("Identity", "reconstruction_out", List.of(wp + BundleContract.RECONSTRUCTION),
                BundleContract.RECONSTRUCTION));
        g.addNode(AutoencoderGraph.node("Identity", "feature_error_out", List.of(wp + BundleContract.FEATURE_ERROR),
                BundleContract.FEATURE_ERROR));
        g.addNode(AutoencoderGraph.node("Concat", "latent_concat", latents, BundleContract.LATENT)
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
        g.addNode(AutoencoderGraph.node("Sum", "score_sum", standardised, "log_score_sum"));
        g.addNode(AutoencoderGraph.node("Mul", "score_mean", List.of("log_score_sum", "member_share"),
                "log_score_mean"));
        g.addNode(AutoencoderGraph.node("Exp", "score_exp", List.of("log_score_mean"), BundleContract.SCORE));

        g.addOutput(AutoencoderGraph.tensorInfo(BundleContract.LATENT, latentWidth));
        g.addOutput(AutoencoderGraph.tensorInfo(BundleContract.RECONSTRUCTION, inputWidth));
        g.addOutput(AutoencoderGraph.tensorInfo(BundleContract.FEATURE_ERROR, inputWidth));
        g.addOutput(AutoencoderGraph.tensorInfo(BundleContract.SCORE, -1));
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(AutoencoderGraph.IR_VERSION)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(AutoencoderGraph.OPSET))
                .setProducerName("latentwatch")
                .setGraph(g)
                .build()
                .toByteArray();
    }

    private static OnnxMl.GraphProto parse(byte[] onnx, int k) {
        try {
            OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(onnx);
            for (OnnxMl.OperatorSetIdProto opset : model.getOpsetImportList()) {
                if (opset.getDomain().isEmpty() && opset.getVersion() != AutoencoderGraph.OPSET) {
                    throw new IllegalArgumentException("member " + k + " declares opset " + opset.getVersion()
                            + ", the ensemble " + AutoencoderGraph.OPSET);
                }
            }
            return model.getGraph();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("member " + k + " is not an ONNX model: " + e.getMessage(), e);
        }
    }

    private static int latentWidth(OnnxMl.GraphProto member, int k) {
        for (OnnxMl.ValueInfoProto out : member.getOutputList()) {
            if (out.getName().equals(BundleContract.LATENT)) {
                OnnxMl.TensorShapeProto shape = out.getType().getTensorType().getShape();
                if (shape.getDimCount() == 2 && shape.getDim(1).hasDimValue()) {
                    return (int) shape.getDim(1).getDimValue();
                }
            }
        }
        throw new IllegalArgumentException("member " + k + " has no latent output of fixed width");
    }
}
