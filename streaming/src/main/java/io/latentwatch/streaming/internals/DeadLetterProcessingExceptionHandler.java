package io.latentwatch.streaming.internals;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net behind the scoring processor: whatever a record makes a processor throw, the record goes to
 * the dead-letter topic ({@code errors.dead.letter.queue.topic.name}) with its original bytes and the usual
 * {@code latentwatch.*} headers, and processing resumes. The processor dead-letters the failures it expects
 * itself; reaching this handler means a bug, so it logs at ERROR.
 *
 * <p>Kafka Streams rethrows task-migration and corruption errors before handlers see them, so resuming here
 * cannot hide a rebalance.
 */
public final class DeadLetterProcessingExceptionHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingExceptionHandler.class);

    private String deadLetterTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        this.deadLetterTopic = topic == null ? null : topic.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.error("event=processing_failed topic={} partition={} offset={} node={} task={} action=dead_letter error=\"{}\"",
                context.topic(), context.partition(), context.offset(), context.processorNodeId(), context.taskId(),
                exception.toString(), exception);
        if (deadLetterTopic == null) {
            return Response.resume();
        }
        ProducerRecord<byte[], byte[]> deadLetter = new ProducerRecord<>(deadLetterTopic, null,
                context.timestamp() >= 0 ? context.timestamp() : null, // a producer refuses negative timestamps
                context.sourceRawKey(), context.sourceRawValue(),
                DeadLetters.headers(context.headers(), DeadLetters.reasonOf(exception), exception.toString(),
                        context.topic(), context.partition(), context.offset()));
        return Response.resume(List.of(deadLetter));
    }
}
