"""The SNS operation table: action name -> handler."""

from __future__ import annotations

from server.services.sns import publish_operations as publishing
from server.services.sns import subscription_operations as subscriptions
from server.services.sns import topic_operations as topics
from server.wire import Operation

OPERATIONS: dict[str, Operation] = {
    "CreateTopic": topics.create_topic,
    "DeleteTopic": topics.delete_topic,
    "ListTopics": topics.list_topics,
    "GetTopicAttributes": topics.get_topic_attributes,
    "SetTopicAttributes": topics.set_topic_attributes,
    "TagResource": topics.tag_resource,
    "UntagResource": topics.untag_resource,
    "ListTagsForResource": topics.list_tags_for_resource,
    "Subscribe": subscriptions.subscribe,
    "ConfirmSubscription": subscriptions.confirm_subscription,
    "Unsubscribe": subscriptions.unsubscribe,
    "ListSubscriptions": subscriptions.list_subscriptions,
    "ListSubscriptionsByTopic": subscriptions.list_subscriptions_by_topic,
    "GetSubscriptionAttributes": subscriptions.get_subscription_attributes,
    "SetSubscriptionAttributes": subscriptions.set_subscription_attributes,
    "Publish": publishing.publish,
    "PublishBatch": publishing.publish_batch,
    "GetSigningCertificate": publishing.get_signing_certificate,
}
