package io.latentwatch.streaming.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.streaming.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DeadLetterProcessingExceptionHandlerTest {

    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    private static ErrorHandlerContext context() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "t1".getBytes(StandardCharsets.UTF_8));
        return new ErrorHandlerContext() {
            @Override public String topic() { return "observations"; }
            @Override public int partition() { return 3; }
            @Override public long offset() { return 42; }
            @Override public Headers headers() { return headers; }
            @Override public String processorNodeId() { return "latentwatch-scorer"; }
            @Override public TaskId taskId() { return new TaskId(0, 3); }
            @Override public long timestamp() { return 1234; }
            @Override public byte[] sourceRawKey() { return KEY; }
            @Override public byte[] sourceRawValue() { return VALUE; }
        };
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    @Test
    void unexpectedErrorsResumeAndDeadLetterTheSourceBytes() {
        DeadLetterProcessingExceptionHandler handler = new DeadLetterProcessingExceptionHandler();
        handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dlq"));
        ProcessingExceptionHandler.Response response = handler.handleError(context(),
                new Record<>(KEY, VALUE, 1234), new IllegalStateException("bug"));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo("dlq");
            assertThat(r.key()).isEqualTo(KEY);
            assertThat(r.value()).isEqualTo(VALUE);
            assertThat(r.timestamp()).isEqualTo(1234L);
            assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("SCORING_FAILED");
            assertThat(header(r, DeadLetterHeaders.ERROR)).contains("bug");
            assertThat(header(r, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("observations");
            assertThat(header(r, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("3");
            assertThat(header(r, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("42");
            assertThat(header(r, "trace-id")).isEqualTo("t1");
        });
    }

    @Test
    void aRejectionThrownFromDeepInsideKeepsItsReason() {
        DeadLetterProcessingExceptionHandler handler = new DeadLetterProcessingExceptionHandler();
        handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dlq"));
        Exception e = new RuntimeException("wrapped", new InvalidRecordException(RejectionReason.WRONG_LENGTH, "3 values"));
        ProcessingExceptionHandler.Response response = handler.handleError(context(), new Record<>(KEY, VALUE, 1), e);
        assertThat(header(response.deadLetterQueueRecords().get(0), DeadLetterHeaders.REASON)).isEqualTo("WRONG_LENGTH");
    }

    @Test
    void withoutADeadLetterTopicItStillResumes() {
        DeadLetterProcessingExceptionHandler handler = new DeadLetterProcessingExceptionHandler();
        handler.configure(Map.of());
        ProcessingExceptionHandler.Response response = handler.handleError(context(), new Record<>(KEY, VALUE, 1),
                new IllegalStateException("bug"));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }
}
