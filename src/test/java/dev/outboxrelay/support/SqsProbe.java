package dev.outboxrelay.support;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

final class SqsProbe implements BrokerProbe {

    private final String topic;
    private final String queue;
    private final SqsClient sqs;
    private final List<Delivered> received = new ArrayList<>();
    private String queueUrl;

    SqsProbe(TestSqs server, String topic, String queue) {
        this.topic = topic;
        this.queue = queue;
        this.sqs = client(server);
    }

    static SqsClient client(TestSqs server) {
        return SqsClient.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public List<Delivered> read(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("SQS queue " + queue + ": " + received.size() + " of " + count
                        + " messages after " + timeout);
            }
            receive(1);
        }
        return List.copyOf(received);
    }

    @Override
    public List<Delivered> drain(Duration quiet) {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            receive(1);
        }
        return List.copyOf(received);
    }

    private void receive(int waitSeconds) {
        if (queueUrl == null) {
            try {
                queueUrl = sqs.getQueueUrl(b -> b.queueName(queue)).queueUrl();
            } catch (QueueDoesNotExistException e) {
                sleep();
                return; // the relay creates it with the first message
            }
        }
        List<Message> messages = sqs.receiveMessage(ReceiveMessageRequest.builder()
                .queueUrl(queueUrl)
                .maxNumberOfMessages(10)
                .waitTimeSeconds(waitSeconds)
                .messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .build()).messages();
        if (messages.isEmpty()) {
            return;
        }
        for (Message message : messages) {
            Map<String, String> headers = new HashMap<>();
            message.messageAttributes().forEach((name, value) -> headers.put(name, value.stringValue()));
            received.add(new Delivered(
                    message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID),
                    message.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID),
                    message.body(), headers, queue));
        }
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            done.add(DeleteMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i)).receiptHandle(messages.get(i).receiptHandle()).build());
        }
        sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done));
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        sqs.close();
    }
}
