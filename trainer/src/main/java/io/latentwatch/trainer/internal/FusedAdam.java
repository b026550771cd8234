package io.latentwatch.trainer.internal;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Adam over all parameters in one libtorch call, {@code at::_fused_adam_}: the kernel behind
 * {@code torch.optim.Adam(fused=True)}, which reads weight, gradient and both moments once and writes them back
 * in the same pass. DJL's Adam runs about a dozen tensor operations per parameter (and copies each gradient
 * first), which made the optimizer step the largest part of a batch of the notes' dense networks. The update
 * is torch.optim.Adam's: bias-corrected moments, epsilon added to the corrected root of the second moment.
 *
 * <p>Gradients are zeroed in place after each step (as DJL's optimizers do), so the next backward pass
 * accumulates into the same buffers. Everything handed to libtorch is checked here first: a failed check in
 * the kernel would throw a C++ exception that cannot cross the JNA call.
 */
public final class FusedAdam implements AutoCloseable {
    /** {@code at::_ops::_fused_adam_::call(TensorList x6, double lr, beta1, beta2, weight_decay, eps, bool amsgrad,
     * bool maximize, const optional<Tensor>& grad_scale, const optional<Tensor>& found_inf)}. */
    private static final String FUSED_ADAM =
            "_ZN2at4_ops12_fused_adam_4callEN3c108ArrayRefINS_6TensorEEES5_S5_S5_S5_S5_dddddbbRKSt8optionalIS4_ES9_";
    private static final Resolved KERNEL = Resolved.resolve();

    private final List<PtNDArray> weights;
    private final NDManager state;
    private final NDArray step;
    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final TensorList weightList;
    private final TensorList firstMoments;
    private final TensorList secondMoments;
    private final TensorList steps;
    private final Memory gradientHandles;
    private final TensorList noTensors = TensorList.of(null, 0);
    private final Memory noOptionalTensor = zeroed(16); // std::optional<at::Tensor>: payload, then the engaged flag

    private FusedAdam(List<PtNDArray> weights, NDManager state, double learningRate, double beta1, double beta2,
                      double epsilon) {
        this.weights = weights;
        this.state = state;
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        int n = weights.size();
        step = state.zeros(new ai.djl.ndarray.types.Shape(), DataType.FLOAT32);
        List<NDArray> m = new ArrayList<>(n);
        List<NDArray> v = new ArrayList<>(n);
        List<NDArray> s = new ArrayList<>(n);
        for (PtNDArray w : weights) {
            m.add(state.zeros(w.getShape(), DataType.FLOAT32));
            v.add(state.zeros(w.getShape(), DataType.FLOAT32));
            s.add(step); // one step counter serves every tensor
        }
        weightList = TensorList.of(impls(new ArrayList<>(weights)), n);
        firstMoments = TensorList.of(impls(m), n);
        secondMoments = TensorList.of(impls(v), n);
        steps = TensorList.of(impls(s), n);
        gradientHandles = new Memory(8L * n);
    }

    /**
     * A fused Adam for these weights (float32 on the CPU, gradients attached), or empty where libtorch's kernel
     * cannot be reached (then {@link #status()} says why and the caller keeps DJL's optimizer).
     */
    public static Optional<FusedAdam> create(List<NDArray> weights, NDManager manager, double learningRate,
                                             double beta1, double beta2, double epsilon) {
        if (KERNEL.function() == null || weights.isEmpty()) {
            return Optional.empty();
        }
        List<PtNDArray> pt = new ArrayList<>(weights.size());
        for (NDArray w : weights) {
            if (!(w instanceof PtNDArray p) || w.getDataType() != DataType.FLOAT32
                    || !Device.cpu().equals(w.getDevice()) || !w.hasGradient()) {
                return Optional.empty();
            }
            pt.add(p);
        }
        return Optional.of(new FusedAdam(pt, manager.newSubManager(), learningRate, beta1, beta2, epsilon));
    }

    /** For provenance: which Adam implementation training uses. */
    public static String status() {
        return KERNEL.function() != null ? "libtorch at::_fused_adam_" : "DJL Adam (" + KERNEL.failure() + ")";
    }

    /** Applies the current gradients to the weights, then zeros the gradients. */
    public void step() {
        List<PtNDArray> gradients = new ArrayList<>(weights.size());
        try {
            for (int i = 0; i < weights.size(); i++) {
                PtNDArray w = weights.get(i);
                PtNDArray g = JniUtils.getGradient(w);
                if (g == null) {
                    throw new IllegalStateException("parameter " + i + " has no gradient: was backward run?");
                }
                gradients.add(g);
                if (!g.getShape().equals(w.getShape()) || g.getDataType() != DataType.FLOAT32) {
                    throw new IllegalStateException("gradient " + g.getShape() + " " + g.getDataType()
                            + " does not match its weight " + w.getShape());
                }
                gradientHandles.setPointer(8L * i, impl(g));
            }
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false); // in-place updates of leaves that require gradients
            try {
                step.addi(1f);
                KERNEL.function().invokeVoid(new Object[] {
                        weightList, TensorList.of(gradientHandles, weights.size()), firstMoments, secondMoments,
                        noTensors, steps, learningRate, beta1, beta2, 0.0, epsilon, (byte) 0, (byte) 0,
                        noOptionalTensor, noOptionalTensor});
            } finally {
                JniUtils.setGradMode(gradMode);
            }
            for (PtNDArray w : weights) {
                JniUtils.zeroGrad(w);
            }
        } finally {
            gradients.forEach(NDArray::close);
        }
    }

    @Override
    public void close() {
        state.close();
    }

    /** Contiguous at::Tensor values (each one TensorImpl pointer) for an ArrayRef, read from DJL's handles. */
    private static Memory impls(List<NDArray> arrays) {
        Memory m = new Memory(8L * arrays.size());
        for (int i = 0; i < arrays.size(); i++) {
            m.setPointer(8L * i, impl((PtNDArray) arrays.get(i)));
        }
        return m;
    }

    /** DJL's handle points at a heap {@code at::Tensor}, whose only field is its TensorImpl pointer. */
    private static Pointer impl(PtNDArray array) {
        return new Pointer(array.getHandle()).getPointer(0);
    }

    private static Memory zeroed(int bytes) {
        Memory m = new Memory(bytes);
        m.clear();
        return m;
    }

    /** {@code c10::ArrayRef<at::Tensor>}, passed by value: pointer to the first Tensor, then the count. */
    @Structure.FieldOrder({"data", "length"})
    public static final class TensorList extends Structure implements Structure.ByValue {
        public Pointer data;
        public long length;

        static TensorList of(Pointer data, long length) {
            TensorList t = new TensorList();
            t.data = data;
            t.length = length;
            return t;
        }
    }

    private record Resolved(Function function, String failure) {
        static Resolved resolve() {
            try {
                return new Resolved(LibTorch.function(FUSED_ADAM), null);
            } catch (RuntimeException | LinkageError e) {
                return new Resolved(null, e.getMessage());
            }
        }
    }
}
