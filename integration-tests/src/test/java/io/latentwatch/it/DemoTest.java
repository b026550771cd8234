package io.latentwatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.app.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code latentwatch demo}, as a newcomer runs it: alerts on screen and the summary line last. */
class DemoTest {
    private static final Pattern SUMMARY = Pattern.compile(
            "summary: scored=(\\d+) alerts=(\\d+) dlq=(\\d+) records_per_s=([0-9.]+) windows_hit=(\\d+)/(\\d+)");

    @Test
    void printsAlertsAndEndsWithTheSummaryLine(@TempDir Path dir) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new Main()).execute("demo", "--work-dir", dir.toString());
        } finally {
            System.setOut(old);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        old.println(out.lines().filter(l -> !l.startsWith("ALERT")).reduce("", (a, b) -> a + b + "\n"));
        assertThat(code).as(out).isZero();
        List<String> lines = out.lines().toList();
        Matcher m = SUMMARY.matcher(lines.get(lines.size() - 1));
        assertThat(m.matches()).as("last line: " + lines.get(lines.size() - 1)).isTrue();
        // 4 series x 4032 records, 15 % of each held for training: 4 x (4032 - 604) scored
        assertThat(Long.parseLong(m.group(1))).isEqualTo(4 * (4032 - 604));
        assertThat(Long.parseLong(m.group(2))).isPositive();
        assertThat(Long.parseLong(m.group(3))).isEqualTo(2);
        assertThat(Integer.parseInt(m.group(6))).isEqualTo(4);
        assertThat(Integer.parseInt(m.group(5))).isPositive();
        assertThat(out).contains("ALERT OPEN").contains("DEAD LETTER  reason=MALFORMED_JSON")
                .contains("DEAD LETTER  reason=WRONG_LENGTH");
        assertThat(dir.resolve("bundle/model.onnx")).isNotEmptyFile();
        assertThat(dir.resolve("loss.png")).isNotEmptyFile();
    }
}
