package dev.outboxrelay.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

import dev.outboxrelay.routing.TopicPatterns;

/**
 * Applies {@link PrivacyProperties} to a payload: the relay calls it once per event it reads, so what
 * any broker receives is already stripped of the fields the rules name. The stored row keeps the
 * payload as written (the database is inside the boundary); nothing is parsed for topics without rules.
 */
@Component
public class PayloadPrivacy {

    private static final String MASK = "***";

    private record CompiledRule(Pattern topic, PrivacyProperties.Rule rule) {
    }

    private final List<CompiledRule> rules;
    private final SecretKeySpec tokenKey;
    private final ObjectMapper json;
    // topics are few and long-lived; their matching rules are worked out once each
    private final Map<String, List<PrivacyProperties.Rule>> rulesByTopic = new ConcurrentHashMap<>();

    public PayloadPrivacy(PrivacyProperties properties, ObjectMapper json) {
        this.rules = properties.rules().stream()
                .map(rule -> new CompiledRule(TopicPatterns.compile(rule.topic()), rule))
                .toList();
        String key = properties.token().key();
        this.tokenKey = key == null || key.isBlank() ? null
                : new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.json = json;
    }

    /** Whether any rule applies to the topic. */
    public boolean covers(String topic) {
        return !rulesFor(topic).isEmpty();
    }

    /**
     * The payload as it may leave: unchanged when no rule covers the topic.
     *
     * @throws IllegalArgumentException when rules cover the topic but the payload is not a JSON object;
     *                                  the message names the topic only, never the payload
     */
    public String minimise(String topic, String payload) {
        List<PrivacyProperties.Rule> applicable = rulesFor(topic);
        if (applicable.isEmpty()) {
            return payload;
        }
        JsonNode tree;
        try {
            tree = payload == null ? null : json.readTree(payload);
        } catch (JsonProcessingException e) {
            tree = null;
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("the payload is not a JSON object, so the privacy rules of topic '"
                    + topic + "' (outbox.privacy.rules) cannot be applied; it is not sent");
        }
        ObjectNode root = (ObjectNode) tree;
        for (PrivacyProperties.Rule rule : applicable) {
            rule.drop().forEach(path -> apply(root, path, ObjectNode::remove));
            rule.mask().forEach(path -> apply(root, path, (parent, field) ->
                    parent.put(field, mask(parent.get(field), rule.maskKeepLast()))));
            rule.tokenise().forEach(path -> apply(root, path, (parent, field) ->
                    parent.put(field, token(parent.get(field)))));
        }
        return root.toString();
    }

    private List<PrivacyProperties.Rule> rulesFor(String topic) {
        return rulesByTopic.computeIfAbsent(topic, name -> rules.stream()
                .filter(compiled -> compiled.topic().matcher(name).matches())
                .map(CompiledRule::rule)
                .toList());
    }

    /** Calls {@code change} with each object holding the path's last key, through arrays on the way. */
    private static void apply(JsonNode node, String path, BiConsumer<ObjectNode, String> change) {
        int dot = path.indexOf('.');
        String key = dot < 0 ? path : path.substring(0, dot);
        if (node instanceof ArrayNode array) {
            array.forEach(element -> apply(element, path, change));
        } else if (node instanceof ObjectNode object && object.has(key)) {
            if (dot < 0) {
                if (!object.get(key).isNull()) {
                    change.accept(object, key);
                }
            } else {
                apply(object.get(key), path.substring(dot + 1), change);
            }
        }
    }

    private static String mask(JsonNode value, int keepLast) {
        String text = value.isValueNode() ? value.asText() : value.toString();
        // a value that short would be mostly shown: mask it whole
        if (keepLast == 0 || text.length() <= keepLast * 2) {
            return MASK;
        }
        return MASK + text.substring(text.length() - keepLast);
    }

    private String token(JsonNode value) {
        String text = value.isValueNode() ? value.asText() : value.toString();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(tokenKey);
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
