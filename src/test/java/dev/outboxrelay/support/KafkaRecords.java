package dev.outboxrelay.support;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;

/** Direct access to the test Kafka for consumer tests: records on chosen partitions, topic settings, offsets. */
public final class KafkaRecords implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final AdminClient admin;

    public KafkaRecords() {
        String servers = TestServers.get().kafka().bootstrapServers();
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(config);
        Properties adminConfig = new Properties();
        adminConfig.put("bootstrap.servers", servers);
        admin = AdminClient.create(adminConfig);
    }

    /** Creates a topic with a number of partitions and topic-level settings. */
    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        get(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all());
    }

    /** Changes a topic-level setting. */
    public void alterTopic(String topic, String name, String value) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        get(admin.incrementalAlterConfigs(Map.of(resource,
                List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)))).all());
    }

    /** Sends a record to a partition with outbox-style string headers, and waits for the ack. */
    public void send(String topic, int partition, String key, String value, Map<String, String> headers) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, partition, key, value);
        headers.forEach((name, header) -> record.headers().add(name, header.getBytes(StandardCharsets.UTF_8)));
        get(producer.send(record));
    }

    /** The committed offsets of a consumer group. */
    public Map<TopicPartition, Long> committed(String group) {
        Map<TopicPartition, OffsetAndMetadata> offsets = get(admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> answer = new HashMap<>();
        offsets.forEach((partition, offset) -> answer.put(partition, offset == null ? null : offset.offset()));
        return answer;
    }

    /** The records a topic holds in all its partitions: the sum of its end offsets (nothing is deleted in tests). */
    public long records(String topic) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions()
                .forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
        return get(admin.listOffsets(latest).all()).values().stream().mapToLong(info -> info.offset()).sum();
    }

    /** The partitions each member of a consumer group holds. */
    public List<List<Integer>> assignments(String group, String topic) {
        return get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)).members().stream()
                .map(MemberDescription::assignment)
                .map(assignment -> assignment.topicPartitions().stream()
                        .filter(partition -> partition.topic().equals(topic))
                        .map(TopicPartition::partition).sorted().toList())
                .toList();
    }

    private static <T> T get(java.util.concurrent.Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }
}
