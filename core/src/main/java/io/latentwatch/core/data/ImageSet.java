package io.latentwatch.core.data;

import java.util.List;
import java.util.Optional;

/**
 * Images as flat model inputs: each row holds one image's pixel values (0 to 255) laid out channel-major
 * {@code [C, H, W]}, the layout the ONNX graph of a convolutional model reshapes its flat input to.
 *
 * @param source where the images came from
 * @param channels C (1 grey, 3 RGB)
 * @param height H
 * @param width W
 * @param pixels one row of C*H*W values per image
 * @param labels a class label per image when known (used only for evaluation)
 */
public record ImageSet(String source, int channels, int height, int width, float[][] pixels, Optional<int[]> labels) {

    public ImageSet {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image shape must be positive: " + channels + "x" + height + "x" + width);
        }
        int size = channels * height * width;
        for (float[] p : pixels) {
            if (p.length != size) {
                throw new IllegalArgumentException("an image of " + source + " has " + p.length + " values, expected " + size);
            }
        }
        labels.ifPresent(l -> {
            if (l.length != pixels.length) {
                throw new IllegalArgumentException(source + ": " + l.length + " labels for " + pixels.length + " images");
            }
        });
    }

    /** The logical input shape {@code [C, H, W]}. */
    public List<Integer> shape() {
        return List.of(channels, height, width);
    }

    /** Element names {@code y{y}x{x}} for one channel, {@code c{c}y{y}x{x}} for several, in input order. */
    public List<String> elementNames() {
        String[] names = new String[channels * height * width];
        int k = 0;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    names[k++] = (channels == 1 ? "" : "c" + c) + "y" + y + "x" + x;
                }
            }
        }
        return List.of(names);
    }

    /** The images whose label is {@code label} (for one-class training). */
    public ImageSet ofClass(int label) {
        int[] l = labels.orElseThrow(() -> new IllegalStateException(source + " has no labels"));
        int n = 0;
        for (int v : l) {
            n += v == label ? 1 : 0;
        }
        float[][] p = new float[n][];
        int[] kept = new int[n];
        int k = 0;
        for (int i = 0; i < l.length; i++) {
            if (l[i] == label) {
                kept[k] = label;
                p[k++] = pixels[i];
            }
        }
        return new ImageSet(source + "[class " + label + "]", channels, height, width, p, Optional.of(kept));
    }
}
