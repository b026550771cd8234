package io.latentwatch.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or not: unsigned-byte image files
 * (magic 0x00000803) and label files (magic 0x00000801).
 */
public final class IdxImages {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxImages() {}

    /**
     * Reads an image file and, when {@code labelFile} is not null, its labels.
     *
     * @param expectedHeight required image height, or 0 to accept any
     * @param expectedWidth required image width, or 0 to accept any
     */
    public static ImageSet read(Path imageFile, Path labelFile, int expectedHeight, int expectedWidth) {
        float[][] pixels;
        int rows;
        int cols;
        try (DataInputStream in = open(imageFile)) {
            int magic = readHeader(in, imageFile, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new DataFormatException(imageFile + ": magic number 0x" + Integer.toHexString(magic)
                        + " is not that of an IDX image file (0x00000803)");
            }
            int n = readHeader(in, imageFile, "image count");
            rows = readHeader(in, imageFile, "row count");
            cols = readHeader(in, imageFile, "column count");
            if (n < 0 || rows <= 0 || cols <= 0) {
                throw new DataFormatException(imageFile + ": header gives " + n + " images of " + rows + "x" + cols);
            }
            if ((expectedHeight > 0 && rows != expectedHeight) || (expectedWidth > 0 && cols != expectedWidth)) {
                throw new DataFormatException(imageFile + ": images are " + rows + "x" + cols + ", the model expects "
                        + expectedHeight + "x" + expectedWidth);
            }
            pixels = new float[n][rows * cols];
            byte[] buf = new byte[rows * cols];
            for (int i = 0; i < n; i++) {
                try {
                    in.readFully(buf);
                } catch (EOFException e) {
                    throw new DataFormatException(imageFile + ": truncated at image " + (i + 1) + " of " + n);
                }
                for (int j = 0; j < buf.length; j++) {
                    pixels[i][j] = buf[j] & 0xFF;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + imageFile, e);
        }
        Optional<int[]> labels = labelFile == null ? Optional.empty() : Optional.of(readLabels(labelFile));
        if (labels.isPresent() && labels.get().length != pixels.length) {
            throw new DataFormatException(labelFile + ": " + labels.get().length + " labels, but " + imageFile + " holds "
                    + pixels.length + " images");
        }
        return new ImageSet(imageFile.toString(), 1, rows, cols, pixels, labels);
    }

    /** Reads an IDX label file. */
    public static int[] readLabels(Path labelFile) {
        try (DataInputStream in = open(labelFile)) {
            int magic = readHeader(in, labelFile, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new DataFormatException(labelFile + ": magic number 0x" + Integer.toHexString(magic)
                        + " is not that of an IDX label file (0x00000801)");
            }
            int n = readHeader(in, labelFile, "label count");
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                try {
                    labels[i] = in.readUnsignedByte();
                } catch (EOFException e) {
                    throw new DataFormatException(labelFile + ": truncated at label " + (i + 1) + " of " + n);
                }
            }
            return labels;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + labelFile, e);
        }
    }

    private static int readHeader(DataInputStream in, Path file, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new DataFormatException(file + ": the file ends inside the IDX header (" + what + ")");
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b1 = raw.read();
        int b2 = raw.read();
        raw.reset();
        boolean gzip = b1 == 0x1f && b2 == 0x8b;
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
    }
}
