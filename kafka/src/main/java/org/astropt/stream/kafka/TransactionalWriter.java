package org.astropt.stream.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes batches of records, each batch in one Kafka transaction: a read_committed reader sees all of a
 * batch or none of it. For the few records that change state together (a model rollback is a ROLLED_BACK
 * record and the PROMOTED one that replaces it), so no failure between two sends leaves half a change.
 *
 * <p>A writer started later with the same transactional id fences this one: its next write fails. Not
 * thread-safe; callers write one batch at a time.
 */
public final class TransactionalWriter implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String transactionalId;

    /** A writer over PLAINTEXT (tests). */
    public TransactionalWriter(String bootstrapServers, String transactionalId) {
        this(KafkaClientSettings.plaintext(bootstrapServers), transactionalId);
    }

    public TransactionalWriter(KafkaClientSettings kafka, String transactionalId) {
        this.transactionalId = transactionalId;
        this.producer = new KafkaProducer<>(kafka.config(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")),
                new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
    }

    /**
     * Sends the records in one transaction, in order, and returns once it is committed. On failure the
     * transaction is aborted (nothing of it becomes visible) and the exception is thrown; the writer can
     * write again, unless it was fenced by another writer with its id, which no retry mends.
     */
    public void write(List<ProducerRecord<byte[], byte[]>> records) {
        producer.beginTransaction();
        try {
            for (ProducerRecord<byte[], byte[]> r : records) producer.send(r);
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            // the producer cannot go on; the broker aborts the open transaction
            throw new IllegalStateException("transactional writer " + transactionalId + " cannot write any more: " + e.getMessage(), e);
        } catch (RuntimeException e) { // any other failure, Kafka's or not: the transaction must not stay open
            producer.abortTransaction();
            throw e;
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
