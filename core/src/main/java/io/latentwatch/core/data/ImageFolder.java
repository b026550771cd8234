package io.latentwatch.core.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a folder of PNG / JPEG images (files sorted by name), each resized to the model's input
 * {@code [C, H, W]} with bilinear interpolation; C is 1 (grey) or 3 (RGB).
 */
public final class ImageFolder {
    private ImageFolder() {}

    public static ImageSet read(Path folder, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images need 1 or 3 channels, not " + channels);
        }
        if (!Files.isDirectory(folder)) {
            throw new DataFormatException(folder + ": not a directory of images");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        if (files.isEmpty()) {
            throw new DataFormatException(folder + ": no .png, .jpg or .jpeg files");
        }
        List<float[]> rows = new ArrayList<>(files.size());
        for (Path f : files) {
            rows.add(readOne(f, channels, height, width));
        }
        return new ImageSet(folder.toString(), channels, height, width, rows.toArray(float[][]::new), Optional.empty());
    }

    /** One image file as C*H*W values in 0..255, channel-major. */
    public static float[] readOne(Path file, int channels, int height, int width) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DataFormatException(file + ": cannot decode the image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new DataFormatException(file + ": not a PNG or JPEG image");
        }
        BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, width, height, null);
        g.dispose();
        float[] out = new float[channels * height * width];
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = scaled.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int gr = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                int i = y * width + x;
                if (channels == 1) {
                    out[i] = 0.299f * r + 0.587f * gr + 0.114f * b;
                } else {
                    out[i] = r;
                    out[plane + i] = gr;
                    out[2 * plane + i] = b;
                }
            }
        }
        return out;
    }
}
