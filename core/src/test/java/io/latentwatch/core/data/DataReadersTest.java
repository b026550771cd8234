package io.latentwatch.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers accept their formats and reject bad input with a message naming the file (and line). */
class DataReadersTest {

    @Test
    void csvErrorsNameFileAndLine(@TempDir Path dir) throws IOException {
        Path ragged = Files.writeString(dir.resolve("ragged.csv"), "a,b,label\n1,2,0\n3,4\n");
        assertThatThrownBy(() -> CsvTable.read(ragged, "label")).isInstanceOf(DataFormatException.class)
                .hasMessage(ragged + ":3: row has 2 cells, the header has 3");
        Path text = Files.writeString(dir.resolve("text.csv"), "a,b\n1,2\n3,x\n");
        assertThatThrownBy(() -> CsvTable.read(text, null)).isInstanceOf(DataFormatException.class)
                .hasMessage(text + ":3: column 'b' holds 'x', not a number");
        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        assertThatThrownBy(() -> CsvTable.read(empty, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(empty + ": the file is empty");
        Path ok = Files.writeString(dir.resolve("ok.csv"), "f0,f1,label\n1,2,0\n3,4,1\n");
        CsvTable t = CsvTable.read(ok, "label");
        assertThat(t.featureNames()).containsExactly("f0", "f1");
        assertThat(t.labels()).hasValueSatisfying(l -> assertThat(l).containsExactly(0, 1));
    }

    @Test
    void idxReadsGzipAndPlainImagesWithLabels(@TempDir Path dir) throws IOException {
        byte[] images = idxImages(3, 2, 2, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        Path gz = dir.resolve("img.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(images);
        }
        Path plain = Files.write(dir.resolve("img.idx"), images);
        Path labels = Files.write(dir.resolve("lab.idx"), new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 7});
        ImageSet a = IdxImages.read(gz, labels, 2, 2);
        ImageSet b = IdxImages.read(plain, null, 0, 0);
        assertThat(a.shape()).containsExactly(1, 2, 2);
        assertThat(a.pixels()[2]).containsExactly(8f, 9f, 10f, 255f);
        assertThat(b.pixels()[0]).containsExactly(0f, 1f, 2f, 3f);
        assertThat(a.labels()).hasValueSatisfying(l -> assertThat(l).containsExactly(7, 2, 7));
        assertThat(a.ofClass(7).pixels()).hasNumberOfRows(2);
    }

    @Test
    void idxRejectsWrongSizeTruncationAndWrongMagic(@TempDir Path dir) throws IOException {
        Path img = Files.write(dir.resolve("img.idx"), idxImages(1, 2, 2, new byte[4]));
        assertThatThrownBy(() -> IdxImages.read(img, null, 28, 28)).isInstanceOf(DataFormatException.class)
                .hasMessage(img + ": images are 2x2, the model expects 28x28");
        Path cut = Files.write(dir.resolve("cut.idx"), idxImages(3, 2, 2, new byte[6]));
        assertThatThrownBy(() -> IdxImages.read(cut, null, 0, 0)).hasMessage(cut + ": truncated at image 2 of 3");
        Path labels = Files.write(dir.resolve("lab.idx"), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 7});
        assertThatThrownBy(() -> IdxImages.read(labels, null, 0, 0)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(labels + ": magic number 0x801 is not that of an IDX image file");
        Path empty = Files.write(dir.resolve("empty.idx"), new byte[0]);
        assertThatThrownBy(() -> IdxImages.read(empty, null, 0, 0)).hasMessageContaining(empty + ": the file ends inside the IDX header");
    }

    @Test
    void imageFolderResizesToTheModelInputAndNamesUnreadableFiles(@TempDir Path dir) throws IOException {
        BufferedImage red = new BufferedImage(10, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 10; x++) {
                red.setRGB(x, y, Color.RED.getRGB());
            }
        }
        ImageIO.write(red, "png", dir.resolve("a.png").toFile());
        ImageSet rgb = ImageFolder.read(dir, 3, 4, 4);
        assertThat(rgb.shape()).containsExactly(3, 4, 4);
        assertThat(rgb.pixels()[0][0]).isEqualTo(255f);       // R plane
        assertThat(rgb.pixels()[0][16]).isEqualTo(0f);        // G plane
        Files.writeString(dir.resolve("b.jpg"), "not an image");
        assertThatThrownBy(() -> ImageFolder.read(dir, 1, 4, 4)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(dir.resolve("b.jpg").toString());
    }

    private static byte[] idxImages(int n, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000803);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(pixels);
        return bytes.toByteArray();
    }
}
