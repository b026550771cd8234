package io.latentwatch.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import io.latentwatch.trainer.TrainingConfig;

/**
 * The training objective of every variant, on batches {@code [B, D]} in normalised units. Each term is a
 * scalar NDArray so it can be differentiated.
 */
public final class LossTerms {
    /** Clamp for log arguments in BCE and the KL sparsity term. */
    public static final float EPS = 1e-7f;

    private LossTerms() {}

    /** Mean over all elements of {@code (prediction - target)^2}. */
    public static NDArray meanSquaredError(NDArray prediction, NDArray target) {
        return prediction.sub(target).square().mean();
    }

    /** Mean over all elements of {@code -(t log p + (1 - t) log(1 - p))}, p clamped to [EPS, 1 - EPS]. */
    public static NDArray binaryCrossEntropy(NDArray prediction, NDArray target) {
        NDArray p = prediction.clip(EPS, 1 - EPS);
        NDArray oneMinusT = target.neg().add(1f);
        NDArray oneMinusP = p.neg().add(1f);
        return target.mul(p.log()).add(oneMinusT.mul(oneMinusP.log())).mean().neg();
    }

    /** {@code weight * mean_batch(sum_j |z_j|)}. */
    public static NDArray l1Sparsity(NDArray code, double weight) {
        return code.abs().sum(new int[] {1}).mean().mul((float) weight);
    }

    /**
     * {@code weight * sum_j [rho log(rho / rhoHat_j) + (1 - rho) log((1 - rho) / (1 - rhoHat_j))]} with
     * {@code rhoHat_j = mean_batch(sigmoid(z_j))}: the notes' KL sparsity penalty.
     */
    public static NDArray klSparsity(NDArray code, double rho, double weight) {
        NDArray rhoHat = Activation.sigmoid(code).mean(new int[] {0}).clip(EPS, 1 - EPS);
        float r = (float) rho;
        NDArray a = rhoHat.log().neg().add((float) Math.log(rho)).mul(r);                    // rho log(rho / rhoHat)
        NDArray b = rhoHat.neg().add(1f).log().neg().add((float) Math.log(1 - rho)).mul(1 - r); // (1-rho) log(...)
        return a.add(b).sum().mul((float) weight);
    }

    /** {@code mean_batch(-1/2 sum_j (1 + logVar_j - mu_j^2 - exp(logVar_j)))}: KL(N(mu, sigma^2) || N(0, I)). */
    public static NDArray gaussianKl(NDArray mu, NDArray logVariance) {
        NDArray terms = logVariance.add(1f).sub(mu.square()).sub(logVariance.exp());
        return terms.sum(new int[] {1}).mean().mul(-0.5f);
    }

    /**
     * The whole objective of a forward pass ({@code outputs} as {@link AutoencoderNetwork} returns them):
     * reconstruction loss, plus the sparsity penalty on the code, plus {@code beta * KL / D} for a VAE.
     */
    public static NDArray objective(TrainingConfig config, NDArray target, NDList outputs) {
        NDArray reconstruction = outputs.get(0);
        NDArray loss = config.loss() == TrainingConfig.LossFunction.BCE
                ? binaryCrossEntropy(reconstruction, target) : meanSquaredError(reconstruction, target);
        NDArray code = outputs.get(1);
        TrainingConfig.Sparsity s = config.sparsity();
        if (s.kind() == TrainingConfig.Sparsity.Kind.L1) {
            loss = loss.add(l1Sparsity(code, s.weight()));
        } else if (s.kind() == TrainingConfig.Sparsity.Kind.KL) {
            loss = loss.add(klSparsity(code, s.target(), s.weight()));
        }
        if (outputs.size() == 3) {
            long width = target.getShape().get(1);
            loss = loss.add(gaussianKl(code, outputs.get(2)).mul((float) (config.variational().beta() / width)));
        }
        return loss;
    }
}
