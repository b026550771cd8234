package io.latentwatch.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.onnx.AutoencoderGraph;
import io.latentwatch.trainer.onnx.DenseLayer;
import io.latentwatch.trainer.onnx.GraphLayer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * The DJL network of every autoencoder family, built together with what exports each of its layers to
 * ONNX, so the graph always mirrors the trained blocks.
 *
 * <p>Forward returns {@code [reconstruction, code]} ({@code [reconstruction, mu, logVar]} for a VAE), all in
 * normalised units. A VAE samples {@code z = mu + exp(logVar / 2) * eps} only when training; otherwise the
 * decoder reads the mean, which is what the exported graph does.
 */
public final class AutoencoderNetwork extends AbstractBlock {
    private static final int KERNEL = 3;

    private final SequentialBlock encoder;
    private final Linear mean;
    private final Linear logVariance;
    private final SequentialBlock decoder;
    private final List<Supplier<GraphLayer>> encoderExport;
    private final List<Supplier<GraphLayer>> decoderExport;
    private final int latentDim;

    private AutoencoderNetwork(Stack encoder, Linear mean, Linear logVariance, Stack decoder, int latentDim) {
        super((byte) 1);
        this.encoder = addChildBlock("encoder", encoder.block);
        this.mean = mean == null ? null : addChildBlock("mean", mean);
        this.logVariance = logVariance == null ? null : addChildBlock("logvar", logVariance);
        this.decoder = addChildBlock("decoder", decoder.block);
        this.encoderExport = List.copyOf(encoder.export);
        this.decoderExport = List.copyOf(decoder.export);
        this.latentDim = latentDim;
    }

    /**
     * Builds the network of {@code config.variant()} for inputs of logical shape {@code inputShape}.
     *
     * @throws IllegalArgumentException when the variant cannot take this input (conv needs {@code [C, H, W]}
     *     with H and W divisible by 2 per pooling stage)
     */
    public static AutoencoderNetwork build(TrainingConfig config, List<Integer> inputShape) {
        int width = inputShape.stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b);
        DenseLayer.Activation out = config.outputActivation() == TrainingConfig.OutputActivation.SIGMOID
                ? DenseLayer.Activation.SIGMOID : DenseLayer.Activation.IDENTITY;
        boolean vae = config.variant() == TrainingConfig.Variant.VAE;
        int latent = config.latentDim();
        Stack enc = new Stack();
        Stack dec = new Stack();
        if (config.variant() == TrainingConfig.Variant.CONV) {
            if (inputShape.size() != 3) {
                throw new IllegalArgumentException("the conv variant needs image input [C, H, W], got shape " + inputShape);
            }
            int c = inputShape.get(0);
            int h = inputShape.get(1);
            int w = inputShape.get(2);
            List<Integer> channels = config.hiddenLayers();
            int factor = 1 << channels.size();
            if (h % factor != 0 || w % factor != 0) {
                throw new IllegalArgumentException("the conv variant with " + channels.size() + " pooling stages needs H and W"
                        + " divisible by " + factor + ", got " + h + "x" + w + "; use fewer --hidden channel counts");
            }
            enc.reshape(c, h, w);
            int in = c;
            for (int ch : channels) {
                enc.conv(in, ch, DenseLayer.Activation.RELU);
                enc.maxPool();
                in = ch;
            }
            int last = channels.get(channels.size() - 1);
            int hb = h / factor;
            int wb = w / factor;
            enc.reshape(last * hb * wb);
            if (!vae) {
                enc.dense(last * hb * wb, latent, DenseLayer.Activation.IDENTITY);
            }
            dec.dense(latent, last * hb * wb, DenseLayer.Activation.RELU);
            dec.reshape(last, hb, wb);
            List<Integer> reversed = new ArrayList<>(channels);
            Collections.reverse(reversed);
            for (int i = 1; i <= reversed.size(); i++) {
                boolean final_ = i == reversed.size();
                dec.upsample();
                dec.conv(reversed.get(i - 1), final_ ? c : reversed.get(i), final_ ? out : DenseLayer.Activation.RELU);
            }
            dec.reshape(width);
        } else {
            int in = width;
            for (int units : config.hiddenLayers()) {
                enc.dense(in, units, DenseLayer.Activation.RELU);
                in = units;
            }
            if (!vae) {
                enc.dense(in, latent, DenseLayer.Activation.IDENTITY);
            }
            List<Integer> reversed = new ArrayList<>(config.hiddenLayers());
            Collections.reverse(reversed);
            int from = latent;
            for (int units : reversed) {
                dec.dense(from, units, DenseLayer.Activation.RELU);
                from = units;
            }
            dec.dense(from, width, out);
        }
        Linear mu = vae ? Linear.builder().setUnits(latent).build() : null;
        Linear lv = vae ? Linear.builder().setUnits(latent).build() : null;
        return new AutoencoderNetwork(enc, mu, lv, dec, latent);
    }

    public int latentDim() {
        return latentDim;
    }

    public boolean variational() {
        return mean != null;
    }

    /** The encoder's layers with current weights (for a VAE: the trunk, then the mean head). */
    public List<GraphLayer> encoderLayers() {
        List<GraphLayer> layers = new ArrayList<>();
        encoderExport.forEach(s -> layers.add(s.get()));
        if (mean != null) {
            layers.add(dense(mean, DenseLayer.Activation.IDENTITY));
        }
        return layers;
    }

    public List<GraphLayer> decoderLayers() {
        List<GraphLayer> layers = new ArrayList<>();
        decoderExport.forEach(s -> layers.add(s.get()));
        return layers;
    }

    /** The VAE's log-variance head for the graph, or null for a deterministic code. */
    public AutoencoderGraph.VariationalHead variationalHead(TrainingConfig.Variational settings) {
        return logVariance == null ? null : new AutoencoderGraph.VariationalHead(dense(logVariance,
                DenseLayer.Activation.IDENTITY), settings.beta(),
                settings.score() == TrainingConfig.Variational.VaeScore.NEGATIVE_ELBO);
    }

    /** Copies of all parameter values, in a fixed order. */
    public float[][] snapshot() {
        List<Parameter> params = getParameters().values();
        float[][] out = new float[params.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = params.get(i).getArray().toFloatArray();
        }
        return out;
    }

    /** Puts back values taken with {@link #snapshot()} (in place, so gradients stay attached). */
    public void restore(float[][] values) {
        List<Parameter> params = getParameters().values();
        if (values.length != params.size()) {
            throw new IllegalArgumentException("snapshot has " + values.length + " parameters, the network " + params.size());
        }
        for (int i = 0; i < values.length; i++) {
            NDArray a = params.get(i).getArray();
            if (a.getShape().size() != values[i].length) {
                throw new IllegalArgumentException("parameter " + params.get(i).getName() + " has " + a.getShape().size()
                        + " values, the snapshot " + values[i].length);
            }
            a.set(FloatBuffer.wrap(values[i]));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray h = encoder.forward(ps, inputs, training).singletonOrThrow();
        if (mean == null) {
            NDArray r = decoder.forward(ps, new NDList(h), training).singletonOrThrow();
            return new NDList(r, h);
        }
        NDArray mu = mean.forward(ps, new NDList(h), training).singletonOrThrow();
        NDArray lv = logVariance.forward(ps, new NDList(h), training).singletonOrThrow();
        NDArray z = mu;
        if (training) {
            NDArray eps = mu.getManager().randomNormal(0f, 1f, mu.getShape(), DataType.FLOAT32);
            z = mu.add(lv.mul(0.5f).exp().mul(eps));
        }
        NDArray r = decoder.forward(ps, new NDList(z), training).singletonOrThrow();
        return new NDList(r, mu, lv);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes);
        Shape[] h = encoder.getOutputShapes(inputShapes);
        Shape[] z = h;
        if (mean != null) {
            mean.initialize(manager, dataType, h);
            logVariance.initialize(manager, dataType, h);
            z = mean.getOutputShapes(h);
        }
        decoder.initialize(manager, dataType, z);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] h = encoder.getOutputShapes(inputShapes);
        Shape[] z = mean == null ? h : mean.getOutputShapes(h);
        Shape[] r = decoder.getOutputShapes(z);
        return mean == null ? new Shape[] {r[0], z[0]} : new Shape[] {r[0], z[0], z[0]};
    }

    private static DenseLayer dense(Linear l, DenseLayer.Activation activation) {
        NDArray w = l.getParameters().get("weight").getArray();
        NDArray b = l.getParameters().get("bias").getArray();
        return new DenseLayer(w.toFloatArray(), b.toFloatArray(), (int) w.getShape().get(1), (int) w.getShape().get(0),
                activation);
    }

    /** A SequentialBlock being built, with the exporter of each step. */
    private static final class Stack {
        final SequentialBlock block = new SequentialBlock();
        final List<Supplier<GraphLayer>> export = new ArrayList<>();

        void dense(int inputs, int units, DenseLayer.Activation activation) {
            Linear l = Linear.builder().setUnits(units).build();
            block.add(l);
            addActivation(activation);
            export.add(() -> AutoencoderNetwork.dense(l, activation));
        }

        void conv(int inChannels, int outChannels, DenseLayer.Activation activation) {
            Conv2d c = Conv2d.builder().setKernelShape(new Shape(KERNEL, KERNEL)).optPadding(new Shape(KERNEL / 2, KERNEL / 2))
                    .setFilters(outChannels).build();
            block.add(c);
            addActivation(activation);
            export.add(() -> new GraphLayer.Conv(c.getParameters().get("weight").getArray().toFloatArray(),
                    c.getParameters().get("bias").getArray().toFloatArray(), inChannels, outChannels, KERNEL, activation));
        }

        void maxPool() {
            block.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            export.add(GraphLayer.MaxPool::new);
        }

        void upsample() {
            // nearest-neighbour x2: repeat each row and column (DJL has no transposed convolution)
            block.add(LambdaBlock.singleton(a -> a.repeat(2, 2).repeat(3, 2), "upsample"));
            export.add(GraphLayer.Upsample::new);
        }

        void reshape(long... shape) {
            long[] full = new long[shape.length + 1];
            full[0] = -1;
            System.arraycopy(shape, 0, full, 1, shape.length);
            Shape target = new Shape(full);
            block.add(LambdaBlock.singleton(a -> a.reshape(target), "reshape"));
            List<Long> dims = new ArrayList<>();
            for (long d : shape) {
                dims.add(d);
            }
            export.add(() -> new GraphLayer.Reshape(dims));
        }

        private void addActivation(DenseLayer.Activation activation) {
            switch (activation) {
                case RELU -> block.add(Activation.reluBlock());
                case SIGMOID -> block.add(Activation.sigmoidBlock());
                case IDENTITY -> { }
            }
        }
    }
}
