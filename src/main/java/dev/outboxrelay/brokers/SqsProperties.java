package dev.outboxrelay.brokers;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The SQS connection shared by the relay and the SQS workers.
 *
 * @param endpoint          an SQS-compatible endpoint (ElasticMQ, LocalStack); empty for AWS itself
 * @param region            the AWS region
 * @param accessKey         static credentials; leave both empty to use the default AWS credential chain
 *                          (environment, profile, instance role). Secret: pass it by environment only.
 * @param secretKey         see accessKey
 * @param autoCreateQueues  create a missing queue on first use (FIFO when its name ends in .fifo);
 *                          off in production, where queues come from infrastructure code
 * @param apiCallTimeout    the longest one SQS call may take, retries included; keep it below the relay lease
 */
@ConfigurationProperties("outbox.sqs")
@Validated
public record SqsProperties(
        URI endpoint,
        @DefaultValue("us-east-1") @NotBlank String region,
        String accessKey,
        String secretKey,
        @DefaultValue("false") boolean autoCreateQueues,
        @DefaultValue("10s") @NotNull Duration apiCallTimeout) {

    public SqsProperties {
        boolean hasKey = accessKey != null && !accessKey.isBlank();
        boolean hasSecret = secretKey != null && !secretKey.isBlank();
        if (hasKey != hasSecret) {
            throw new IllegalArgumentException("outbox.sqs.access-key and outbox.sqs.secret-key must be set together");
        }
    }

    public boolean hasStaticCredentials() {
        return accessKey != null && !accessKey.isBlank();
    }
}
